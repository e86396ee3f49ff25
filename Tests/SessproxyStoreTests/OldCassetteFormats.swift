import GRDB

/// Cassettes as older sessproxy builds wrote them, made with those builds' own migrations, for
/// the forward-migration tests.
enum OldCassetteFormats {
    /// Writes a one-exchange cassette of format `version` (1 or 2) at `path`.
    static func write(version: Int, at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-exchanges") { db in
            try db.execute(sql: """
                CREATE TABLE cassette_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE exchange (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, duration_us INTEGER NOT NULL,
                  method TEXT NOT NULL, target TEXT NOT NULL, path TEXT NOT NULL, operation TEXT NOT NULL, session_id TEXT,
                  upstream TEXT NOT NULL, request_headers TEXT NOT NULL, request_body, status INTEGER NOT NULL,
                  response_headers TEXT NOT NULL, response_body, redactions TEXT NOT NULL);
                CREATE INDEX exchange_by_session ON exchange(session_id, id);
                INSERT INTO cassette_meta VALUES ('format_version', '1');
                INSERT INTO exchange VALUES (NULL, '2024-01-01T00:00:00.000Z', 10, 'GET', '/payments/v1/sessions/s', '/payments/v1/sessions/s',
                  'read', 's', 'https://api.klarna.com', '[]', NULL, 200, '[]', '{"status":"incomplete"}', '[]');
                """)
        }
        if version >= 2 {
            migrator.registerMigration("v2-encoding-and-proxy-errors") { db in
                try db.execute(sql: """
                    ALTER TABLE exchange ADD COLUMN response_encoding TEXT;
                    ALTER TABLE exchange ADD COLUMN proxy_error TEXT;
                    CREATE INDEX exchange_by_operation ON exchange(operation, id);
                    UPDATE cassette_meta SET value = '2' WHERE key = 'format_version';
                    """)
            }
        }
        try migrator.migrate(queue)
        try queue.close()
    }
}
