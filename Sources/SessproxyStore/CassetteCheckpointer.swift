import Foundation
import GRDB
import Logging
import ServiceLifecycle

/// Folds a recording cassette's WAL back into the main file in the background, on a connection
/// and a thread of its own, so that no commit — and so no app's answer — waits for a checkpoint
/// (the writer's connection has SQLite's automatic checkpoint turned off). Once a second it runs
/// a passive checkpoint, which never blocks the writer; when the WAL still grows past
/// `walLimit` (a reader pinning old frames, a burst of traffic) it runs a truncating one, which
/// waits for the writer between two commits and bounds the `-wal` file.
public final class CassetteCheckpointer: Service, Sendable {
    public let cassette: Cassette
    let interval: Duration
    let walLimit: Int
    private let logger: Logger

    public init(cassette: Cassette, interval: Duration = .seconds(1), walLimit: Int = 64 << 20, logger: Logger = Logger(label: "sessproxy.store")) {
        self.cassette = cassette
        self.interval = interval
        self.walLimit = walLimit
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
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            // Off the caller's executor: a checkpoint is blocking file I/O.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                DispatchQueue.global(qos: .utility).async { [self] in
                    checkpoint(connection)
                    done.resume()
                }
            }
        }
    }

    private func checkpoint(_ connection: DatabaseQueue) {
        do {
            try connection.writeWithoutTransaction { db in
                _ = try db.checkpoint(cassette.walSize > walLimit ? .truncate : .passive)
            }
        } catch {
            logger.debug("background checkpoint: \(error)")
        }
    }
}
