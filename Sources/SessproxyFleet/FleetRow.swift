import Foundation
import NIOCore
import PostgresNIO
import SessproxyCore

/// An exchange as a `sessproxy_exchange` row and back: headers and redaction notes as JSON, bodies
/// byte for byte (`bytea`) plus a `jsonb` copy when they parse as JSON.
enum FleetRow {
    static let columns = [
        "recording", "sidecar", "exchange_id", "started_at", "duration_us", "method", "target", "path", "operation", "session_id",
        "upstream", "request_headers", "request_body", "request_json", "status", "response_headers", "response_body", "response_json",
        "response_encoding", "redactions", "proxy_error", "match_key", "match_rules",
    ]
    /// Casts for the text binds that become `jsonb`.
    static let jsonColumns: Set<String> = ["request_headers", "request_json", "response_headers", "response_json", "redactions"]

    static func insertQuery(_ exchanges: [RecordedExchange], recording: String, sidecar: String) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: exchanges.count * columns.count)
        var tuples: [String] = []
        tuples.reserveCapacity(exchanges.count)
        var parameter = 0
        for exchange in exchanges {
            guard let id = exchange.id else { continue }
            var placeholders: [String] = []
            for column in columns {
                parameter += 1
                placeholders.append(
                    jsonColumns.contains(column) ? "$\(parameter)::jsonb" : column == "started_at" ? "$\(parameter)::timestamptz" : "$\(parameter)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            bindings.append(recording)
            bindings.append(sidecar)
            bindings.append(id)
            // As text, so the store holds the cassette's millisecond exactly (a bound Date is binary).
            bindings.append(ExchangeDocument.timestamp(exchange.startedAt))
            bindings.append(exchange.durationMicros)
            bindings.append(exchange.method)
            bindings.append(exchange.target)
            bindings.append(exchange.path)
            bindings.append(exchange.operation.rawValue)
            bindings.append(exchange.sessionID)
            bindings.append(exchange.upstream)
            bindings.append(headersJSON(exchange.requestHeaders))
            bindings.append(ByteBuffer(bytes: exchange.requestBody))
            bindings.append(jsonText(exchange.requestBody))
            bindings.append(exchange.status)
            bindings.append(headersJSON(exchange.responseHeaders))
            bindings.append(ByteBuffer(bytes: exchange.responseBody))
            bindings.append(jsonText(exchange.responseBody))
            bindings.append(exchange.responseEncoding)
            bindings.append(JSONSerializer.string(.array(exchange.redactions.map { .string($0) }), style: .compact))
            bindings.append(exchange.proxyError)
            bindings.append(ReplayKeyPolicy.keyToStore(for: exchange))
            bindings.append(ReplayKeyPolicy.storedKeyFingerprint)
        }
        let sql = "INSERT INTO sessproxy_exchange (\(columns.joined(separator: ", "))) VALUES "
            + tuples.joined(separator: ", ")
            + " ON CONFLICT (recording, sidecar, exchange_id) DO NOTHING RETURNING exchange_id"
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static let selectColumns = """
        sidecar, exchange_id, started_at, duration_us, method, target, operation, session_id, upstream, request_headers::text,
        request_body, status, response_headers::text, response_body, response_encoding, redactions::text, proxy_error, match_key, match_rules
        """

    static func selectQuery(recording: String, after cursor: FleetCursor?, limit: Int) -> PostgresQuery {
        if let cursor {
            return """
                SELECT \(unescaped: selectColumns) FROM sessproxy_exchange
                WHERE recording = \(recording) AND (started_at, sidecar, exchange_id) > (\(cursor.startedAt), \(cursor.sidecar), \(cursor.exchangeID))
                ORDER BY started_at, sidecar, exchange_id LIMIT \(limit)
                """
        }
        return """
            SELECT \(unescaped: selectColumns) FROM sessproxy_exchange WHERE recording = \(recording)
            ORDER BY started_at, sidecar, exchange_id LIMIT \(limit)
            """
    }

    static func decode(_ row: PostgresRow) throws -> (RecordedExchange, FleetCursor) {
        let cells = row.makeRandomAccess()
        let sidecar = try cells[0].decode(String.self)
        let id = try cells[1].decode(Int64.self)
        let startedAt = try cells[2].decode(Date.self)
        let target = try cells[5].decode(String.self)
        var exchange = RecordedExchange(
            id: id, startedAt: startedAt, durationMicros: try cells[3].decode(Int64.self), method: try cells[4].decode(String.self),
            target: target, operation: KlarnaOperation(rawValue: try cells[6].decode(String.self)) ?? .other,
            sessionID: try cells[7].decode(String?.self), upstream: try cells[8].decode(String.self),
            requestHeaders: headers(fromJSON: try cells[9].decode(String.self)), requestBody: bytes(try cells[10].decode(ByteBuffer.self)),
            status: try cells[11].decode(Int.self), responseHeaders: headers(fromJSON: try cells[12].decode(String.self)),
            responseBody: bytes(try cells[13].decode(ByteBuffer.self)), responseEncoding: try cells[14].decode(String?.self),
            redactions: strings(fromJSON: try cells[15].decode(String.self)), proxyError: try cells[16].decode(String?.self))
        exchange.id = id
        // A key stored under today's stored-key rules is kept, so a pulled cassette need not
        // compute it again.
        if try cells[18].decode(String?.self) == ReplayKeyPolicy.storedKeyFingerprint {
            exchange.precomputedMatchKey = try cells[17].decode(String?.self)
        }
        return (exchange, FleetCursor(startedAt: startedAt, sidecar: sidecar, exchangeID: id))
    }

    static func headersJSON(_ headers: [HeaderField]) -> String {
        JSONSerializer.string(.array(headers.map { .array([.string($0.name), .string($0.value)]) }), style: .compact)
    }

    static func headers(fromJSON text: String) -> [HeaderField] {
        guard let pairs = (try? JSONParser.parse(text))?.arrayValue else { return [] }
        return pairs.compactMap { pair in
            guard let name = pair[0]?.stringValue, let value = pair[1]?.stringValue else { return nil }
            return HeaderField(name: name, value: value)
        }
    }

    static func strings(fromJSON text: String) -> [String] {
        (try? JSONParser.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The body as JSON text for the `jsonb` copy, nil when it is not JSON. PostgreSQL's `jsonb`
    /// refuses `\u0000`, so such a body keeps only its bytes.
    static func jsonText(_ body: [UInt8]) -> String? {
        guard !body.isEmpty, JSONParser.startsLikeDocument(body), (try? JSONParser.parse(body)) != nil,
            let text = String(validating: body, as: UTF8.self), !text.contains("\\u0000")
        else { return nil }
        return text
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }
}
