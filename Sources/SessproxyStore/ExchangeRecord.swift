import Foundation
import GRDB
import SessproxyCore

/// One row of the `exchange` table. Bodies are stored as TEXT when they are valid UTF-8 (so
/// `json_extract(response_body, '$.order_amount')` works in the sqlite3 shell) and as BLOB
/// otherwise; headers and redaction notes as JSON text.
struct ExchangeRecord: FetchableRecord, MutablePersistableRecord, Sendable {
    static let databaseTableName = "exchange"

    var id: Int64?
    var startedAt: String
    var durationUs: Int64
    var method: String
    var target: String
    var path: String
    var operation: String
    var sessionId: String?
    var upstream: String
    var requestHeaders: String
    var requestBody: DatabaseValue
    var status: Int
    var responseHeaders: String
    var responseBody: DatabaseValue
    var responseEncoding: String?
    var redactions: String
    var proxyError: String?
    /// `ReplayMatchKey` digest of the request under the rules named by `cassette_meta.match_rules`;
    /// nil when not computed yet (older cassettes, or written while that fingerprint differed).
    var matchKey: String?

    init(row: Row) {
        id = row["id"]
        startedAt = row["started_at"]
        durationUs = row["duration_us"]
        method = row["method"]
        target = row["target"]
        path = row["path"]
        operation = row["operation"]
        sessionId = row["session_id"]
        upstream = row["upstream"]
        requestHeaders = row["request_headers"]
        requestBody = row["request_body"] ?? .null
        status = row["status"]
        responseHeaders = row["response_headers"]
        responseBody = row["response_body"] ?? .null
        responseEncoding = row["response_encoding"]
        redactions = row["redactions"]
        proxyError = row["proxy_error"]
        matchKey = row["match_key"]
    }

    /// Columns written on insert (all but `id`), in the order of `insertValues`: the one list
    /// behind both GRDB's encoder and the writer's prepared insert statement.
    static let insertColumns = [
        "started_at", "duration_us", "method", "target", "path", "operation", "session_id", "upstream", "request_headers",
        "request_body", "status", "response_headers", "response_body", "response_encoding", "redactions", "proxy_error", "match_key",
    ]

    var insertValues: [(any DatabaseValueConvertible)?] {
        [
            startedAt, durationUs, method, target, path, operation, sessionId, upstream, requestHeaders,
            requestBody, status, responseHeaders, responseBody, responseEncoding, redactions, proxyError, matchKey,
        ]
    }

    /// `INSERT` of `insertColumns`, prepared once per connection (`cachedStatement`) instead of
    /// being generated for every row.
    static let insertSQL =
        "INSERT INTO exchange (\(insertColumns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: insertColumns.count).joined(separator: ", ")))"

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        for (column, value) in zip(Self.insertColumns, insertValues) { container[column] = value }
    }

    /// Whether rows written to this file now get a key (`ReplayKeyPolicy.storesKeys`).
    static func storesKeys(_ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT value FROM cassette_meta WHERE key = ?")
        return ReplayKeyPolicy.storesKeys(fileFingerprint: try String.fetchOne(statement, arguments: [CassetteSchema.matchRulesMetaKey]))
    }

    /// A row for `exchange`, with the match key `ReplayKeyPolicy` stores for it.
    init(_ exchange: RecordedExchange) {
        self.id = exchange.id
        self.startedAt = Timestamp.format(exchange.startedAt)
        self.durationUs = exchange.durationMicros
        self.method = exchange.method
        self.target = exchange.target
        self.path = exchange.path
        self.operation = exchange.operation.rawValue
        self.sessionId = exchange.sessionID
        self.upstream = exchange.upstream
        self.requestHeaders = Self.encodeHeaders(exchange.requestHeaders)
        self.requestBody = Self.encodeBody(exchange.requestBody)
        self.status = exchange.status
        self.responseHeaders = Self.encodeHeaders(exchange.responseHeaders)
        self.responseBody = Self.encodeBody(exchange.responseBody)
        self.responseEncoding = exchange.responseEncoding
        self.redactions = JSONSerializer.string(.array(exchange.redactions.map { .string($0) }))
        self.proxyError = exchange.proxyError
        self.matchKey = ReplayKeyPolicy.keyToStore(for: exchange)
    }

    var exchange: RecordedExchange {
        RecordedExchange(
            id: id,
            startedAt: Timestamp.parse(startedAt) ?? Date(timeIntervalSince1970: 0),
            durationMicros: durationUs,
            method: method,
            target: target,
            operation: KlarnaOperation(rawValue: operation) ?? .other,
            sessionID: sessionId,
            upstream: upstream,
            requestHeaders: Self.decodeHeaders(requestHeaders),
            requestBody: Self.decodeBody(requestBody),
            status: status,
            responseHeaders: Self.decodeHeaders(responseHeaders),
            responseBody: Self.decodeBody(responseBody),
            responseEncoding: responseEncoding,
            redactions: (try? JSONParser.parse(redactions))?.arrayValue?.compactMap(\.stringValue) ?? [],
            proxyError: proxyError
        )
    }

    static func encodeHeaders(_ headers: [HeaderField]) -> String {
        JSONSerializer.string(.array(headers.map { .array([.string($0.name), .string($0.value)]) }))
    }

    static func decodeHeaders(_ text: String) -> [HeaderField] {
        guard let items = (try? JSONParser.parse(text))?.arrayValue else { return [] }
        return items.compactMap { item in
            guard let name = item[0]?.stringValue, let value = item[1]?.stringValue else { return nil }
            return HeaderField(name: name, value: value)
        }
    }

    static func encodeBody(_ body: [UInt8]) -> DatabaseValue {
        if body.isEmpty { return .null }
        if let text = String(validating: body, as: UTF8.self) { return text.databaseValue }
        return Data(body).databaseValue
    }

    static func decodeBody(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .string(let text): return Array(text.utf8)
        case .blob(let data): return Array(data)
        default: return []
        }
    }
}
