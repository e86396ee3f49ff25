/// Where a serving mode sends finished exchanges. The store implements it; the proxy only
/// knows this protocol, so the two never import each other. `record` returns once the
/// exchange is durable (committed), which is what lets the proxy answer the app afterwards —
/// or, when the cassette stays locked, once it has waited long enough (`pending`).
public protocol ExchangeRecorder: Sendable {
    /// Stores an already-redacted exchange.
    func record(_ exchange: RecordedExchange) async -> RecordOutcome
    /// Counts for health and metrics.
    var backlog: RecorderBacklog { get }
}
