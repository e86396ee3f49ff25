import GRDB
import GRDBSQLite
import SessproxyCore

/// The one place where a `RecordedExchange` becomes the columns of an `exchange` row, for new
/// rows (the cassette writer, imports) and rewritten ones (`sessproxy redact`). Each column is
/// bound straight from the exchange on the connection's prepared statement: bodies as TEXT when
/// they are valid UTF-8 (so `json_extract(response_body, …)` works in the sqlite3 shell), as
/// BLOB otherwise and NULL when empty; header lists and redaction notes as `ExchangeColumnText`.
/// Going through a record value and GRDB's `StatementArguments` (an array of existential values,
/// each converted again to be bound) cost the writer thread ~4 of its ~38 µs per exchange at
/// c=32 (medians of eleven alternating runs).
struct ExchangeRowWriter {
    private let database: Database
    /// Whether the file stores replay keys (`ExchangeRecord.storesKeys`); otherwise `match_key`
    /// stays NULL and is not computed.
    private let storesKeys: Bool

    init(_ database: Database) throws {
        self.database = database
        self.storesKeys = try ExchangeRecord.storesKeys(database)
    }

    /// Appends the exchange as a new row and returns its id.
    func insert(_ exchange: RecordedExchange) throws -> Int64 {
        try write(exchange, with: database.cachedStatement(sql: ExchangeRecord.insertSQL), id: nil)
        return database.lastInsertedRowID
    }

    /// Rewrites every column of the row whose id the exchange carries.
    func update(_ exchange: RecordedExchange) throws {
        guard let id = exchange.id else { return }
        try write(exchange, with: database.cachedStatement(sql: ExchangeRecord.updateSQL), id: id)
    }

    private func write(_ exchange: RecordedExchange, with statement: Statement, id: Int64?) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        // In `ExchangeRecord.writtenColumns` order; the id, for an update, after them.
        bind(Timestamp.format(exchange.startedAt), at: 1, of: handle)
        sqlite3_bind_int64(handle, 2, exchange.durationMicros)
        bind(exchange.method, at: 3, of: handle)
        bind(exchange.target, at: 4, of: handle)
        bind(exchange.path, at: 5, of: handle)
        bind(exchange.operation.rawValue, at: 6, of: handle)
        bind(exchange.sessionID, at: 7, of: handle)
        bind(exchange.upstream, at: 8, of: handle)
        bind(ExchangeColumnText.headers(exchange.requestHeaders), at: 9, of: handle)
        bindBody(exchange.requestBody, at: 10, of: handle)
        sqlite3_bind_int64(handle, 11, Int64(exchange.status))
        bind(ExchangeColumnText.headers(exchange.responseHeaders), at: 12, of: handle)
        bindBody(exchange.responseBody, at: 13, of: handle)
        bind(exchange.responseEncoding, at: 14, of: handle)
        bind(ExchangeColumnText.notes(exchange.redactions), at: 15, of: handle)
        bind(exchange.proxyError, at: 16, of: handle)
        bind(storesKeys ? ReplayKeyPolicy.keyToStore(for: exchange) : nil, at: 17, of: handle)
        if let id { sqlite3_bind_int64(handle, 18, id) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(database.sqliteConnection)),
                sql: statement.sql)
        }
    }

    /// TEXT, or NULL for nil. SQLite copies the bytes (`SQLITE_TRANSIENT`).
    private func bind(_ text: String?, at index: Int32, of handle: OpaquePointer) {
        guard var text else {
            sqlite3_bind_null(handle, index)
            return
        }
        text.withUTF8 { bytes in bindText(UnsafeRawBufferPointer(bytes), at: index, of: handle) }
    }

    private func bindBody(_ body: [UInt8], at index: Int32, of handle: OpaquePointer) {
        guard !body.isEmpty else {
            sqlite3_bind_null(handle, index)
            return
        }
        body.withUnsafeBufferPointer { bytes in
            if Self.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil {
                bindText(UnsafeRawBufferPointer(bytes), at: index, of: handle)
            } else {
                sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), SQLITE_TRANSIENT)
            }
        }
    }

    private func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32, of handle: OpaquePointer) {
        // A nil address would bind NULL; an empty text must stay an empty TEXT.
        let start = bytes.baseAddress ?? UnsafeRawPointer(Self.emptyText.utf8Start)
        sqlite3_bind_text(handle, index, start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), SQLITE_TRANSIENT)
    }

    private static let emptyText: StaticString = ""

    /// ASCII is valid UTF-8: most bodies are decided eight bytes at a time, without the copy
    /// that `String(validating:)` makes.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        var offset = 0
        while offset + 8 <= bytes.count {
            if base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
    }
}

/// `SQLITE_TRANSIENT` (the C macro is not imported): SQLite copies the bytes before returning.
private let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
