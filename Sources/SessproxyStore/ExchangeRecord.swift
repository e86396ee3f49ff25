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
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["started_at"] = startedAt
        container["duration_us"] = durationUs
        container["method"] = method
        container["target"] = target
        container["path"] = path
        container["operation"] = operation
        container["session_id"] = sessionId
        container["upstream"] = upstream
        container["request_headers"] = requestHeaders
        container["request_body"] = requestBody
        container["status"] = status
        container["response_headers"] = responseHeaders
        container["response_body"] = responseBody
        container["response_encoding"] = responseEncoding
        container["redactions"] = redactions
        container["proxy_error"] = proxyError
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

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

/// ISO-8601 UTC with milliseconds, the text form of every time in a cassette.
enum Timestamp {
    static func format(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    static func parse(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }
}
