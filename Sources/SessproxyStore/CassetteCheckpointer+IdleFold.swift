import GRDB
import Synchronization

extension CassetteCheckpointer {
    /// A passive pass handed to the idle-class thread, which may be starved of CPU before or
    /// while it runs. Giving way skips it if it has not begun, and interrupts SQLite's copy loop
    /// (checked at every frame) if it is running: the pass that takes over, at a priority that
    /// gets CPU, then waits for the connection only until the starved thread next runs.
    final class IdleFold: Sendable {
        private enum Stage { case waiting, running, ended }
        private let state = Mutex((stage: Stage.waiting, gaveWay: false))

        /// Whether the pass may begin; false once it gave way.
        func begin() -> Bool {
            state.withLock { state in
                guard !state.gaveWay else { return false }
                state.stage = .running
                return true
            }
        }

        func end() {
            state.withLock { $0.stage = .ended }
        }

        func giveWay(interrupting connection: DatabaseQueue) {
            state.withLock { state in
                state.gaveWay = true
                // Only while it runs: SQLite keeps an interrupt that finds nothing running for the
                // connection's next checkpoint.
                if state.stage == .running { connection.interrupt() }
            }
        }
    }
}
