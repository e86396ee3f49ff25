/// What became of one exchange handed to a recorder.
public enum RecordOutcome: Sendable, Hashable {
    /// Committed under this exchange id.
    case committed(id: Int64)
    /// Not committed yet (the cassette is locked); held in memory and committed when it can be.
    case pending
    /// Not recorded (disk full, the writer stopped, the in-memory queue full).
    case failed(reason: String)
}
