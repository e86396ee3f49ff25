import Foundation
import GRDB
import GRDBSQLite
import Logging
import ServiceLifecycle

/// Folds a recording cassette's WAL back into the main file in the background, on a connection
/// and a thread of its own, so that no commit runs a checkpoint (the writer's connection has
/// SQLite's automatic checkpoint turned off).
///
/// A checkpoint ends in an `fsync`, and on Linux file systems an `fsync` stalls other writes to the
/// same file system while the journal commits. `CheckpointPolicy` decides when and how, so that the
/// writer is held up only rarely and briefly: passive passes are short and run on an idle core
/// while they keep up, at nice 19 when they do not (`SpareCPUThread`,
/// `CheckpointPolicy.placement(of:wal:takingOver:)`); before a restart or a truncate, which hold
/// the writer off, the database file is synced without any lock, so that they hold it for the few
/// frames they copy themselves (1–2.5 ms measured, against 6–45 ms before). At every poll it also
/// asks the kernel to read ahead the stretch of the `-wal` file the writer overwrites next
/// (`WALReadAhead`), so that no commit waits for the disk to read back pages the page cache let go
/// of.
public final class CassetteCheckpointer: Service, Sendable {
    public let cassette: Cassette
    let policy: CheckpointPolicy
    let readAhead: WALReadAhead
    private let writer: CassetteWriter
    private let logger: Logger

    public convenience init(
        cassette: Cassette, writer: CassetteWriter, logger: Logger = Logger(label: "sessproxy.store")
    ) {
        self.init(cassette: cassette, writer: writer, policy: CheckpointPolicy(), logger: logger)
    }

    init(
        cassette: Cassette, writer: CassetteWriter, policy: CheckpointPolicy, readAhead: WALReadAhead? = nil,
        logger: Logger = Logger(label: "sessproxy.store")
    ) {
        self.cassette = cassette
        self.policy = policy
        self.readAhead = readAhead ?? WALReadAhead(restartAfter: policy.restartAfter)
        self.writer = writer
        self.logger = logger
    }

    public func run() async throws {
        let connection: DatabaseQueue
        do {
            connection = try DatabaseQueue(path: cassette.path, configuration: Cassette.foldingConfiguration(label: "sessproxy.checkpointer"))
        } catch {
            logger.warning("background checkpoints disabled: \(error)")
            return
        }
        let idle = SpareCPUThread(name: "sessproxy-fold", scheduling: .idleClass)
        let spare = SpareCPUThread(name: "sessproxy-checkpoint", scheduling: .nice19)
        var idleFold: IdleFold?
        defer {
            idle.stop()
            spare.stop()
        }
        var policy = self.policy
        var readAhead = self.readAhead
        let walFile = cassette.walFile
        let logger = self.logger
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let wait = policy.pollInterval(lastCommit: writer.lastCommitNanos, now: DispatchTime.now().uptimeNanoseconds)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .nanoseconds(wait)) }
            let wal = cassette.walProgress
            let walFileBytes = UInt64(cassette.walSize)
            let now = DispatchTime.now().uptimeNanoseconds
            let stretches = readAhead.ranges(wal: wal, fileBytes: walFileBytes, now: now)
            // Not awaited: the kernel's reads are queued in a few microseconds to milliseconds,
            // and a restart must not wait behind them on a nice-19 thread.
            if !stretches.isEmpty { spare.submit { walFile.adviseWillNeed(stretches) } }
            let lastCommit = writer.lastCommitNanos
            let action = policy.due(wal: wal, walFileBytes: walFileBytes, lastCommit: lastCommit, now: now)
            var takingOver = false
            if idle.isBusy, let fold = idleFold {
                // One pass at a time. Idle cores are not keeping up, or a pass that must not wait
                // is due: the pass there gives way, and the one below waits for the connection
                // until it has.
                guard policy.outgrewIdleFold(wal: wal, waitedNanos: now - fold.handedOverAt, due: action) else { continue }
                fold.giveWay(interrupting: connection)
                takingOver = true
            }
            policy.willRun(action, lastCommit: lastCommit)
            if action == .none { continue }
            // Off the caller's executor: a checkpoint is blocking file I/O.
            let failure: (any Error)?
            switch policy.placement(of: action, wal: wal, takingOver: takingOver) {
            case .idleCPU:
                // Not awaited: the next polls see whether it keeps up.
                let fold = IdleFold(handedOverAt: now)
                idleFold = fold
                idle.submit {
                    if let failure = Self.checkpoint(action, on: connection, fold: fold) { logger.debug("background checkpoint: \(failure)") }
                }
                continue
            case .spareCPU:
                failure = await spare.run { Self.checkpoint(action, on: connection) }
            case .normal:
                failure = await withCheckedContinuation { (done: CheckedContinuation<(any Error)?, Never>) in
                    DispatchQueue.global(qos: .utility).async { done.resume(returning: Self.checkpoint(action, on: connection)) }
                }
            }
            if let failure { logger.debug("background checkpoint: \(failure)") }
        }
        // The writer's closing truncate does not wait for the checkpoint lock (SQLite calls no
        // busy handler for it): an idle-class pass still holding it must end first. Bounded, for
        // a machine too busy to give that thread any CPU.
        if idle.isBusy {
            idleFold?.giveWay(interrupting: connection)
            for _ in 0..<400 where idle.isBusy { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Flushes the database file's written pages to disk, holding no lock. A passive pass that
    /// does not reach the WAL's end (under load, every one: commits land while it copies) leaves
    /// the pages it copied unsynced, and the restart or truncate that follows, which holds the
    /// writer off, had to flush them all: 6–45 ms measured at c=1 with ~50 MB waiting. Synced
    /// here first, the pass that holds the writer flushes only what it copies itself.
    private static func syncDatabaseFile(_ db: Database) throws {
        var file: UnsafeMutablePointer<sqlite3_file>?
        let found = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &file)
        guard found == SQLITE_OK, let file, let sync = file.pointee.pMethods?.pointee.xSync else { return }
        let code = sync(file, SQLITE_SYNC_NORMAL)
        if code != SQLITE_OK { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "syncing the cassette before a checkpoint") }
    }

    /// Runs one pass; returns what went wrong, if anything. `fold`: the pass runs on the
    /// idle-class thread and may be told to give way (`IdleFold`).
    ///
    /// An interrupted pass runs once more unless it was told to give way: an idle-class pass that
    /// gave way just after its checkpoint returned leaves SQLite's interrupt set for the
    /// connection's next checkpoint, whoever runs it.
    static func checkpoint(_ action: CheckpointPolicy.Action, on connection: DatabaseQueue, fold: IdleFold? = nil) -> (any Error)? {
        let failure = checkpointOnce(action, on: connection, fold: fold)
        if let error = failure as? DatabaseError, error.resultCode == .SQLITE_INTERRUPT, !(fold?.gaveWay ?? false) {
            return checkpointOnce(action, on: connection, fold: fold)
        }
        return failure
    }

    private static func checkpointOnce(_ action: CheckpointPolicy.Action, on connection: DatabaseQueue, fold: IdleFold?) -> (any Error)? {
        do {
            try connection.writeWithoutTransaction { db in
                // Holding the connection: an interrupt can now only reach this pass.
                guard fold?.begin() ?? true else { return }
                defer { fold?.end() }
                switch action {
                case .none: break
                case .passive: try db.checkpoint(.passive)
                case .passiveThenRestart:
                    try db.checkpoint(.passive)
                    try syncDatabaseFile(db)
                    try db.checkpoint(.restart)
                case .truncate:
                    try syncDatabaseFile(db)
                    try db.checkpoint(.truncate)
                }
            }
            return nil
        } catch {
            return error
        }
    }
}
