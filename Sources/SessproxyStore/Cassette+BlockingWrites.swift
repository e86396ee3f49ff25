import Foundation
import GRDB
import SessproxyCore

extension Cassette {
    /// Inserts exchanges in one transaction on the calling thread and returns their ids. For the
    /// cassette writer's own thread, where a synchronous commit saves two thread hops per batch.
    ///
    /// `BEGIN` and `COMMIT` run as statements prepared once for the connection: GRDB's own
    /// transaction prepares both anew every time, which at one exchange per commit (c=1) was a
    /// tenth of the writer's CPU (124 → 113 µs per exchange).
    func insertBlocking(_ exchanges: [RecordedExchange]) throws -> [Int64] {
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let ids = try Self.insert(exchanges, into: db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return ids
            } catch {
                if db.isInsideTransaction { try? db.rollback() }
                throw error
            }
        }
    }

    /// Turns off SQLite's automatic checkpoint on the writing connection, so that no commit
    /// pays for folding the WAL back (`CassetteCheckpointer` does it in the background).
    func disableAutomaticCheckpoints() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }

    /// Size of the `-wal` file in bytes (0 when there is none). A plain `stat`: the checkpointer
    /// asks every 25 ms while recording, and Foundation's file attributes also look up the
    /// owner's user and group names, reading `/etc/passwd` and `/etc/group` each time.
    var walSize: Int {
        var info = stat()
        guard stat(path + "-wal", &info) == 0 else { return 0 }
        return Int(info.st_size)
    }
}
