import Logging
import SessproxyCore
import PostgresNIO

/// The fleet store's tables, as append-only named migrations like the cassette's: each runs
/// once, in order, in a transaction, under an advisory lock so that sidecars starting together
/// do not race. Never edit a shipped migration; add one.
///
/// `sessproxy_exchange` holds one row per shipped exchange, keyed by recording, sidecar and the
/// sidecar's own exchange id (so a row shipped twice is one row). Bodies are kept byte for byte
/// (`bytea`, what replay serves) and, when they are JSON, also as `jsonb` for queries.
/// `sessproxy_sidecar` binds a recording's sidecar id to the one cassette that ships under it.
/// `match_key` / `match_rules` (v2) carry each row's replay key and the rules it was computed
/// under (`ReplayKeyPolicy`), so that replay from the store reads no body to start.
enum FleetSchema {
    struct Migration: Sendable {
        let name: String
        let statements: [PostgresQuery]
    }

    static let migrations: [Migration] = [
        Migration(name: "v1-exchanges", statements: [
            """
            CREATE TABLE sessproxy_sidecar (
                recording text NOT NULL,
                sidecar text NOT NULL,
                cassette_id text NOT NULL,
                registered_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (recording, sidecar)
            )
            """,
            """
            CREATE TABLE sessproxy_exchange (
                recording text NOT NULL,
                sidecar text NOT NULL,
                exchange_id bigint NOT NULL,
                started_at timestamptz NOT NULL,
                duration_us bigint NOT NULL,
                method text NOT NULL,
                target text NOT NULL,
                path text NOT NULL,
                operation text NOT NULL,
                session_id text,
                upstream text NOT NULL,
                request_headers jsonb NOT NULL,
                request_body bytea NOT NULL,
                request_json jsonb,
                status integer NOT NULL,
                response_headers jsonb NOT NULL,
                response_body bytea NOT NULL,
                response_json jsonb,
                response_encoding text,
                redactions jsonb NOT NULL,
                proxy_error text,
                shipped_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (recording, sidecar, exchange_id)
            )
            """,
            "CREATE INDEX sessproxy_exchange_by_time ON sessproxy_exchange (recording, started_at, sidecar, exchange_id)",
            "CREATE INDEX sessproxy_exchange_by_session ON sessproxy_exchange (recording, session_id)",
            "CREATE INDEX sessproxy_exchange_by_operation ON sessproxy_exchange (recording, operation, status)",
        ]),
        // Replay reads a recording's index (no bodies) and keys requests like a cassette does:
        // the key the sidecar stored, and the rules fingerprint it was computed under.
        Migration(name: "v2-match-keys", statements: [
            "ALTER TABLE sessproxy_exchange ADD COLUMN match_key text, ADD COLUMN match_rules text",
        ]),
        // Bodies of a few kilobytes are compressed as they are stored; with PostgreSQL's default
        // (pglz) that was 40% of the server's time in a push (measured: 100k exchanges in 28 s,
        // 17 s with lz4). A server built without lz4 (or older than 14) keeps its default.
        Migration(name: "v3-lz4-bodies", statements: [
            """
            DO $$ BEGIN
                EXECUTE 'ALTER TABLE sessproxy_exchange '
                    'ALTER COLUMN request_body SET COMPRESSION lz4, ALTER COLUMN response_body SET COMPRESSION lz4, '
                    'ALTER COLUMN request_json SET COMPRESSION lz4, ALTER COLUMN response_json SET COMPRESSION lz4, '
                    'ALTER COLUMN request_headers SET COMPRESSION lz4, ALTER COLUMN response_headers SET COMPRESSION lz4';
            EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL;
            END $$
            """,
        ]),
    ]

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            "CREATE TABLE IF NOT EXISTS sessproxy_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            logger: logger)
        return try await connection.withTransaction(logger: logger) { connection in
            // One migrator at a time across the fleet (the key is arbitrary but fixed).
            try await connection.query("SELECT pg_advisory_xact_lock(5350171)", logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM sessproxy_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            var now: [String] = []
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements { try await connection.query(statement, logger: logger) }
                try await connection.query("INSERT INTO sessproxy_migrations (name) VALUES (\(migration.name))", logger: logger)
                now.append(migration.name)
            }
            return now
        }
    }
}
