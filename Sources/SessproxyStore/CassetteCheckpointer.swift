import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Folds a recording cassette's WAL back into the main file in the background, on a connection
/// and a thread of its own, so that no commit runs a checkpoint (the writer's connection has
/// SQLite's automatic checkpoint turned off).
///
/// A checkpoint ends in an `fsync`, and on Linux file systems an `fsync` stalls other writes to
/// the same file system while the journal commits, for as long as there is data to flush —
/// measured here: a checkpoint once a second under steady load (about 10 MB each) put 50–90 ms
/// stalls into 1 % of commits, one every 4 MiB of WAL (SQLite's own automatic interval) keeps a
/// single client's p99 under 2 ms. So it checkpoints when recording is quiet (no commit for
/// `quietPeriod`) and whenever the WAL passes `walSoftLimit`; past `walHardLimit` (a reader
/// pinning old frames) it truncates the WAL, which waits for the writer between two commits.
public final class CassetteCheckpointer: Service, Sendable {
    public let cassette: Cassette
    let pollInterval: Duration
    let quietPeriod: Duration
    let walSoftLimit: Int
    let walHardLimit: Int
    /// When the writer last finished a commit (monotonic nanoseconds), to tell a lull.
    private let lastCommit: @Sendable () -> UInt64
    private let logger: Logger

    public init(
        cassette: Cassette, writer: CassetteWriter, pollInterval: Duration = .milliseconds(100), quietPeriod: Duration = .milliseconds(250),
        walSoftLimit: Int = 4 << 20, walHardLimit: Int = 256 << 20, logger: Logger = Logger(label: "sessproxy.store")
    ) {
        self.cassette = cassette
        self.pollInterval = pollInterval
        self.quietPeriod = quietPeriod
        self.walSoftLimit = walSoftLimit
        self.walHardLimit = walHardLimit
        self.lastCommit = { writer.lastCommitNanos }
        self.logger = logger
    }

    public func run() async throws {
        let connection: DatabaseQueue
        do {
            var configuration = Configuration()
            configuration.label = "sessproxy.checkpointer"
            configuration.busyMode = .timeout(1)
            connection = try DatabaseQueue(path: cassette.path, configuration: configuration)
        } catch {
            logger.warning("background checkpoints disabled: \(error)")
            return
        }
        var checkpointedAt: UInt64 = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
            let wal = cassette.walSize
            let last = lastCommit()
            let quiet = DispatchTime.now().uptimeNanoseconds >= last + UInt64(quietPeriod / .nanoseconds(1))
            let mode: Database.CheckpointMode
            if wal > walHardLimit {
                mode = .truncate
            } else if wal > walSoftLimit || (quiet && last > checkpointedAt && wal > 0) {
                mode = .passive
            } else {
                continue
            }
            checkpointedAt = last
            // Off the caller's executor: a checkpoint is blocking file I/O.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global(qos: .utility).async { [self] in
                    do {
                        try connection.writeWithoutTransaction { db in _ = try db.checkpoint(mode) }
                    } catch {
                        logger.debug("background checkpoint: \(error)")
                    }
                    done.resume()
                }
            }
        }
    }
}
