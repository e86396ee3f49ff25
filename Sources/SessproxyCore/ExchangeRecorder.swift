/// Where a serving mode sends finished exchanges. The store implements it; the proxy only
/// knows this protocol, so the two never import each other. `record` returns once the
/// exchange is durable (committed), which is what lets the proxy answer the app afterwards.
public protocol ExchangeRecorder: Sendable {
    /// Stores an already-redacted exchange and returns its id.
    func record(_ exchange: RecordedExchange) async throws -> Int64
}
