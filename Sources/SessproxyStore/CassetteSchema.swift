import GRDB
import SessproxyCore

/// The cassette's schema as named, append-only migrations. Never edit a migration that has
/// shipped: add a new one and bump `formatVersion`.
enum CassetteSchema {
    /// Written to `cassette_meta.format_version`; a file with a higher number is refused.
    static let formatVersion = 3

    /// `cassette_meta` key naming the rules the stored `match_key`s were computed with
    /// (`ReplayMatchKey.fingerprint`).
    static let matchRulesMetaKey = "match_rules"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-exchanges") { db in
            try db.create(table: "cassette_meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.create(table: "exchange") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("started_at", .text).notNull()
                table.column("duration_us", .integer).notNull()
                table.column("method", .text).notNull()
                table.column("target", .text).notNull()
                table.column("path", .text).notNull()
                table.column("operation", .text).notNull()
                table.column("session_id", .text)
                table.column("upstream", .text).notNull()
                table.column("request_headers", .text).notNull()
                table.column("request_body")
                table.column("status", .integer).notNull()
                table.column("response_headers", .text).notNull()
                table.column("response_body")
                table.column("redactions", .text).notNull()
            }
            try db.create(index: "exchange_by_session", on: "exchange", columns: ["session_id", "id"])
            try db.execute(sql: "INSERT INTO cassette_meta (key, value) VALUES ('format_version', '1')")
        }
        migrator.registerMigration("v2-encoding-and-proxy-errors") { db in
            try db.alter(table: "exchange") { table in
                table.add(column: "response_encoding", .text)
                table.add(column: "proxy_error", .text)
            }
            try db.create(index: "exchange_by_operation", on: "exchange", columns: ["operation", "id"])
            try db.execute(sql: "UPDATE cassette_meta SET value = '2' WHERE key = 'format_version'")
        }
        migrator.registerMigration("v3-replay-index") { db in
            try db.alter(table: "exchange") { table in
                table.add(column: "match_key", .text)
            }
            // Covering index: replay reads its whole index from here without touching the
            // table rows (and their bodies).
            try db.create(
                index: "exchange_replay_index", on: "exchange",
                columns: ["id", "operation", "session_id", "method", "target", "match_key"])
            try db.execute(
                sql: "INSERT OR REPLACE INTO cassette_meta (key, value) VALUES (?, ?)",
                arguments: [matchRulesMetaKey, ReplayKeyPolicy.storedKeyFingerprint])
            try db.execute(sql: "UPDATE cassette_meta SET value = '3' WHERE key = 'format_version'")
        }
        return migrator
    }
}
