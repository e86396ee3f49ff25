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
