import Foundation
import GRDB
import SessproxyCore

extension Cassette {
    /// Inserts exchanges in one transaction on the calling thread and returns their ids. For the
    /// cassette writer's own thread, where a synchronous commit saves two thread hops per batch.
    func insertBlocking(_ exchanges: [RecordedExchange]) throws -> [Int64] {
        try pool.write { db in try Self.insert(exchanges, into: db) }
    }

    /// Turns off SQLite's automatic checkpoint on the writing connection, so that no commit
    /// pays for folding the WAL back (`CassetteCheckpointer` does it in the background).
    func disableAutomaticCheckpoints() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
    }

    /// Size of the `-wal` file in bytes (0 when there is none).
    var walSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
