import GRDBSQLite
import SessproxyCore
import Synchronization

/// Replay's read per hit — a recorded answer by primary key, a batch of them at a time — on plain
/// read-only SQLite connections with the statement prepared once, handed to whichever thread
/// needs one. Going through the pool's reader queues cost more than the read itself (a dispatch
/// queue hop, the pool's locks, row decoding through strings); measured in
/// `docs/performance.md`, "Replay's answer reads".
/// Each connection is used by one thread at a time; the lock only guards the list of idle ones.
final class CassetteAnswerReader: Sendable {
    private let path: String
    /// What SQLite opens: `path`, or the `immutable` URI of a read-only cassette.
    private let location: String
    /// Idle connections; nil once closed, when a connection coming back is closed instead and
    /// no new one is opened.
    private let idle = Mutex<[Connection]?>([])

    init(path: String, location: String) {
        self.path = path
        self.location = location
    }

    /// The answers recorded for `ids`, in their order (nil where no row has that id), on one
    /// connection; a read error fails the batch. Each row is its own read transaction, so rows
    /// committed meanwhile are seen; wrapping a batch in one transaction measured no cheaper.
    func responses(ids: [Int64]) throws(CassetteError) -> [RecordedResponse?] {
        var closed = false
        let reused = idle.withLock { list -> Connection? in
            guard list != nil else {
                closed = true
                return nil
            }
            return list?.popLast()
        }
        if closed { throw .unreadable(path: path, reason: "the cassette was closed") }
        let connection: Connection
        if let reused { connection = reused } else { connection = try Connection(path: path, location: location) }
        let result = Result { () throws(CassetteError) in try connection.responses(ids: ids) }
        idle.withLock { $0?.append(connection) }
        return try result.get()
    }

    /// Closes the idle connections, and each busy one as it comes back, and opens no more: the
    /// cassette's own connections then close last, so SQLite can fold its `-wal` file back and
    /// remove it. A read after that fails as unreadable.
    func close() {
        idle.withLock { $0 = nil }
    }

    /// One read-only connection and its prepared statement.
    private final class Connection: @unchecked Sendable {
        private let database: OpaquePointer
        private let statement: OpaquePointer
        private let path: String

        private static let sql = "SELECT status, response_headers, response_body FROM exchange WHERE id = ?"

        init(path: String, location: String) throws(CassetteError) {
            self.path = path
            var database: OpaquePointer?
            let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
            guard sqlite3_open_v2(location, &database, flags, nil) == SQLITE_OK, let database else {
                let reason = database.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
                sqlite3_close_v2(database)
                throw .unreadable(path: path, reason: reason)
            }
            // Same patience as the pool's connections (`Cassette.waitForLock`).
            sqlite3_busy_timeout(database, 5_000)
            var statement: OpaquePointer?
            guard sqlite3_prepare_v3(database, Self.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
                let statement
            else {
                let reason = String(cString: sqlite3_errmsg(database))
                sqlite3_close_v2(database)
                throw .unreadable(path: path, reason: reason)
            }
            self.database = database
            self.statement = statement
        }

        deinit {
            sqlite3_finalize(statement)
            sqlite3_close_v2(database)
        }

        func responses(ids: [Int64]) throws(CassetteError) -> [RecordedResponse?] {
            try ids.map { id throws(CassetteError) in try response(id: id) }
        }

        private func response(id: Int64) throws(CassetteError) -> RecordedResponse? {
            defer {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
            }
            sqlite3_bind_int64(statement, 1, id)
            switch sqlite3_step(statement) {
            case SQLITE_ROW:
                let status = Int(sqlite3_column_int64(statement, 0))
                let headers = String(decoding: bytes(column: 1), as: UTF8.self)
                return RecordedResponse(status: status, headers: ExchangeColumnText.headers(from: headers), body: bytes(column: 2))
            case SQLITE_DONE:
                return nil
            default:
                throw .unreadable(path: path, reason: String(cString: sqlite3_errmsg(database)))
            }
        }

        /// A TEXT or BLOB column's bytes as stored (NULL: none).
        private func bytes(column: Int32) -> [UInt8] {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let start = sqlite3_column_blob(statement, column) else { return [] }
            let count = Int(sqlite3_column_bytes(statement, column))
            return Array(UnsafeRawBufferPointer(start: start, count: count))
        }
    }
}
