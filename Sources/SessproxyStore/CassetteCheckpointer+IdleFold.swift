import GRDB
import Synchronization

extension CassetteCheckpointer {
    /// A passive pass handed to the idle-class thread, which may be starved of CPU before or
    /// while it runs. Giving way skips it if it has not yet taken the connection, and interrupts
    /// SQLite's copy loop (checked at every frame) if it has. The pass that takes over, at a
    /// priority that gets CPU, waits for the connection until the starved thread next runs and
    /// finishes any `fsync` under way, and then copies again what the interrupted pass had
    /// copied (SQLite records a pass's progress only at its end). On a saturated machine that
    /// wait can be long, and the WAL keeps growing meanwhile: `idleFoldLimit` decides when a
    /// pass gives way, it does not cap the WAL.
    final class IdleFold: Sendable {
        private enum Stage { case waiting, running, ended }
        private let state = Mutex((stage: Stage.waiting, gaveWay: false))
        /// When the checkpointer handed the pass over (monotonic nanoseconds).
        let handedOverAt: UInt64
        /// Runs once the pass has begun, before it copies: where a test gives way, so that the
        /// interrupt is set while the pass runs (SQLite then stops it at its first frame).
        private let whenBegun: @Sendable () -> Void

        init(handedOverAt: UInt64, whenBegun: @escaping @Sendable () -> Void = {}) {
            self.handedOverAt = handedOverAt
            self.whenBegun = whenBegun
        }

        /// Whether the pass was told to give way.
        var gaveWay: Bool { state.withLock { $0.gaveWay } }

        /// Whether the pass may begin, called once it holds the connection; false once it gave way.
        func begin() -> Bool {
            let begun = state.withLock { state in
                guard !state.gaveWay else { return false }
                state.stage = .running
                return true
            }
            if begun { whenBegun() }
            return begun
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
