import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Folds a recording cassette's WAL back into the main file in the background, on a connection
/// and a thread of its own, so that no commit runs a checkpoint (the writer's connection has
/// SQLite's automatic checkpoint turned off).
///
/// A checkpoint ends in an `fsync`, and on Linux file systems an `fsync` stalls other writes to
/// the same file system while the journal commits. `CheckpointPolicy` decides when and how, so
/// that the writer is held up only rarely and briefly: passive passes are short and run on
/// a thread at nice 19 (`SpareCPUThread`), a restart after one holds the writer for 5–45 ms
/// (measured).
public final class CassetteCheckpointer: Service, Sendable {
    public let cassette: Cassette
    let policy: CheckpointPolicy
    private let writer: CassetteWriter
    private let logger: Logger

    public init(
        cassette: Cassette, writer: CassetteWriter, logger: Logger = Logger(label: "sessproxy.store")
    ) {
        self.cassette = cassette
        self.policy = CheckpointPolicy()
        self.writer = writer
        self.logger = logger
    }

    public func run() async throws {
        let connection: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.label = "sessproxy.checkpointer"
            // A restart or truncate holds the writer off while it waits for readers, so it polls
            // as often as the writer does (SQLite's busy timeout sleeps up to 100 ms) and gives
            // up after 50 ms.
            configuration.busyMode = .callback { tries in
                usleep(200)
                return tries < 250
            }
            connection = try DatabaseQueue(path: cassette.path, configuration: configuration)
        } catch {
            logger.warning("background checkpoints disabled: \(error)")
            return
        }
        let spare = SpareCPUThread(name: "sessproxy-checkpoint")
        defer { spare.stop() }
        var policy = self.policy
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let wait = policy.pollInterval(lastCommit: writer.lastCommitNanos, now: DispatchTime.now().uptimeNanoseconds)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .nanoseconds(wait)) }
            let action = policy.poll(
                wal: cassette.walProgress, walFileBytes: UInt64(cassette.walSize),
                lastCommit: writer.lastCommitNanos, now: DispatchTime.now().uptimeNanoseconds)
            if action == .none { continue }
            // Off the caller's executor: a checkpoint is blocking file I/O.
            let failure: (any Error)?
            if action.runsOnSpareCPU {
                failure = await spare.run { Self.checkpoint(action, on: connection) }
            } else {
                failure = await withCheckedContinuation { (done: CheckedContinuation<(any Error)?, Never>) in
                    DispatchQueue.global(qos: .utility).async { done.resume(returning: Self.checkpoint(action, on: connection)) }
                }
            }
            if let failure { logger.debug("background checkpoint: \(failure)") }
        }
    }

    /// Runs one pass; returns what went wrong, if anything.
    private static func checkpoint(_ action: CheckpointPolicy.Action, on connection: DatabaseQueue) -> (any Error)? {
        do {
            try connection.writeWithoutTransaction { db in
                switch action {
                case .none: break
                case .passive: try db.checkpoint(.passive)
                case .passiveThenRestart:
                    try db.checkpoint(.passive)
                    try db.checkpoint(.restart)
                case .truncate: try db.checkpoint(.truncate)
                }
            }
            return nil
        } catch {
            return error
        }
    }
}
