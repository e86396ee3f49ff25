import Foundation
import GRDB
import GRDBSQLite

extension Cassette {
    /// A connection for folding the WAL back into the file. A restart or truncate holds off the
    /// writer while it waits for readers, so it polls as often as the writer does (SQLite's busy
    /// timeout sleeps up to 100 ms) and gives up after 50 ms.
    static func foldingConfiguration(label: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = label
        configuration.busyMode = .callback { tries in
            usleep(200)
            return tries < 250
        }
        return configuration
    }

    /// Folds the WAL back into the main file, so that the -wal file holds nothing stale. Waits
    /// for other connections as any write does (`waitForLock`): for commands that need it done.
    public func checkpoint() throws {
        // Read-only, there is nothing to fold: such an opening never has a `-wal` file beside it.
        guard !isReadOnly else { return }
        try pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// `checkpoint()` at a start-up, best effort, on a connection of its own: nothing happens
    /// when another connection (a recorder, a second replay still reading) keeps it from
    /// finishing within 50 ms.
    func foldWALBack() {
        guard let connection = try? DatabaseQueue(path: path, configuration: Self.foldingConfiguration(label: "sessproxy.fold")) else { return }
        _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// SQLite folds the `-wal` file back and removes it, with the `-shm`, when the last
    /// connection that may write closes and no other process has the file open. GRDB closes a
    /// pool's writer before its readers (groue/GRDB.swift#739), so the last to close is a reader
    /// and both files stay; one more connection, used once and closed alone, is that last one.
    static func removeLogIfAlone(path: String) {
        guard FileManager.default.fileExists(atPath: path + "-wal") else { return }
        var database: OpaquePointer?
        defer { sqlite3_close_v2(database) }
        guard sqlite3_open_v2(path, &database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else { return }
        // A read opens the log; the close that follows is what folds it back.
        sqlite3_exec(database, "SELECT count(*) FROM sqlite_master", nil, nil, nil)
    }
}
