import Foundation
import GRDB
import SessproxyCore

/// What shipping to a fleet store needs of a cassette: committed rows in id order after a
/// point, and a place in the file itself to remember how far each destination got — so that a
/// restart, a `kill -9` or an outage resumes where it stopped.
extension Cassette {
    /// Committed exchanges with ids above `afterID`, in id order, at most `limit`. Each carries
    /// its stored match key when the file stores keys under `ReplayKeyPolicy`'s rules, so that
    /// a destination can keep it instead of computing it again.
    public func exchanges(afterID: Int64, limit: Int) throws -> [RecordedExchange] {
        try pool.read { db in
            let keysUsable = try ExchangeRecord.storesKeys(db)
            return try ExchangeRecord.filter(Column("id") > afterID).order(Column("id")).limit(limit).fetchAll(db).map { record in
                var exchange = record.exchange
                if keysUsable { exchange.precomputedMatchKey = record.matchKey }
                return exchange
            }
        }
    }

    /// The highest exchange id, 0 when empty.
    public func lastExchangeID() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM exchange") ?? 0 }
    }

    /// When the oldest exchange above `afterID` started, nil when there is none.
    public func startOfFirstExchange(afterID: Int64) throws -> Date? {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT started_at FROM exchange WHERE id > ? ORDER BY id LIMIT 1", arguments: [afterID])
        }.flatMap(Timestamp.parse)
    }

    /// How far shipping to `destination` got (the last exchange id it holds), 0 before any.
    public func shippedThrough(_ destination: String) throws -> Int64 {
        try pool.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM cassette_meta WHERE key = ?", arguments: [Self.shippingKey(destination)])
        }.flatMap { Int64($0) } ?? 0
    }

    public func recordShipped(through id: Int64, to destination: String) throws {
        try pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO cassette_meta (key, value) VALUES (?, ?)", arguments: [Self.shippingKey(destination), String(id)])
        }
    }

    /// This file's own random id, created on first use: a fleet store tells two cassettes
    /// shipping under the same sidecar id apart by it.
    public func cassetteID() throws -> String {
        try pool.write { db in
            if let id = try String.fetchOne(db, sql: "SELECT value FROM cassette_meta WHERE key = 'cassette_id'") { return id }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO cassette_meta (key, value) VALUES ('cassette_id', ?)", arguments: [id])
            return id
        }
    }

    static func shippingKey(_ destination: String) -> String { "shipped:" + destination }
}
