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

/// What became of one exchange handed to a recorder.
public enum RecordOutcome: Sendable, Hashable {
    /// Committed under this exchange id.
    case committed(id: Int64)
    /// Not committed yet (the cassette is locked); held in memory and committed when it can be.
    case pending
    /// Not recorded (disk full, the writer stopped, the in-memory queue full).
    case failed(reason: String)
}

/// A recorder's counts: committed so far, answered `pending` and still waiting, lost.
public struct RecorderBacklog: Sendable, Hashable {
    public var recorded: Int
    public var pending: Int
    public var failed: Int

    public init(recorded: Int, pending: Int, failed: Int) {
        self.recorded = recorded
        self.pending = pending
        self.failed = failed
    }
}
