import Foundation
import GRDB
import SessproxyCore

/// One row of the `exchange` table as read back. Rows are written by `ExchangeRowWriter`, which
/// also says how each column is encoded.
struct ExchangeRecord: FetchableRecord, TableRecord, Sendable {
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

    /// Throws instead of trapping on a column that is missing or holds the wrong type (a
    /// cassette edited by hand): the command reading it then says so in one line.
    init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        startedAt = try row.decode(forColumn: "started_at")
        durationUs = try row.decode(forColumn: "duration_us")
        method = try row.decode(forColumn: "method")
        target = try row.decode(forColumn: "target")
        path = try row.decode(forColumn: "path")
        operation = try row.decode(forColumn: "operation")
        sessionId = try row.decode(forColumn: "session_id")
        upstream = try row.decode(forColumn: "upstream")
        requestHeaders = try row.decode(forColumn: "request_headers")
        requestBody = try row.decode(DatabaseValue?.self, forColumn: "request_body") ?? .null
        status = try row.decode(forColumn: "status")
        responseHeaders = try row.decode(forColumn: "response_headers")
        responseBody = try row.decode(DatabaseValue?.self, forColumn: "response_body") ?? .null
        responseEncoding = try row.decode(forColumn: "response_encoding")
        redactions = try row.decode(forColumn: "redactions")
        proxyError = try row.decode(forColumn: "proxy_error")
        matchKey = try row.decode(forColumn: "match_key")
    }

    /// Columns an exchange is written to (all but `id`), in `ExchangeRowWriter`'s binding order.
    static let writtenColumns = [
        "started_at", "duration_us", "method", "target", "path", "operation", "session_id", "upstream", "request_headers",
        "request_body", "status", "response_headers", "response_body", "response_encoding", "redactions", "proxy_error", "match_key",
    ]

    /// `INSERT` of `writtenColumns`, prepared once per connection (`cachedStatement`).
    static let insertSQL =
        "INSERT INTO exchange (\(writtenColumns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: writtenColumns.count).joined(separator: ", ")))"

    /// `UPDATE` of `writtenColumns` of the row whose id is the last parameter.
    static let updateSQL =
        "UPDATE exchange SET \(writtenColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"

    /// Whether rows written to this file now get a key (`ReplayKeyPolicy.storesKeys`).
    static func storesKeys(_ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: "SELECT value FROM cassette_meta WHERE key = ?")
        return ReplayKeyPolicy.storesKeys(fileFingerprint: try String.fetchOne(statement, arguments: [CassetteSchema.matchRulesMetaKey]))
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
            requestHeaders: ExchangeColumnText.headers(from: requestHeaders),
            requestBody: Self.decodeBody(requestBody),
            status: status,
            responseHeaders: ExchangeColumnText.headers(from: responseHeaders),
            responseBody: Self.decodeBody(responseBody),
            responseEncoding: responseEncoding,
            redactions: ExchangeColumnText.notes(from: redactions),
            proxyError: proxyError
        )
    }

    static func decodeBody(_ value: DatabaseValue) -> [UInt8] {
        switch value.storage {
        case .string(let text): return Array(text.utf8)
        case .blob(let data): return Array(data)
        default: return []
        }
    }
}
