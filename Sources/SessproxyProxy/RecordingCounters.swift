import Synchronization

/// Counts shown by the health endpoint in record mode.
final class RecordingCounters: Sendable {
    private let state = Mutex((recorded: 0, failed: 0))

    func recorded() { state.withLock { $0.recorded += 1 } }
    func failed() { state.withLock { $0.failed += 1 } }
    var snapshot: (recorded: Int, failed: Int) { state.withLock { $0 } }
}
