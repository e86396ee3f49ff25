import Foundation
import NIOCore
import PostgresNIO
import SessproxyCore

/// An exchange as a `sessproxy_exchange` row and back: headers and redaction notes as JSON, bodies
/// byte for byte (`bytea`) plus a `jsonb` copy when they parse as JSON.
enum FleetRow {
    /// The columns an insert writes, each with the array type its values travel in: one bind
    /// per column (`unnest` of parallel arrays) rather than one per cell, so a batch of rows is
    /// one short statement for the server to parse, whatever its size. Nullable text travels as
    /// '' and becomes NULL again (`NULLIF`); none of those columns holds '' meaningfully.
    static let insertColumns: [(name: String, type: String)] = [
        ("exchange_id", "bigint"), ("started_at", "text"), ("duration_us", "bigint"), ("method", "text"), ("target", "text"),
        ("path", "text"), ("operation", "text"), ("session_id", "text"), ("upstream", "text"), ("request_headers", "text"),
        ("request_body", "bytea"), ("request_json", "text"), ("status", "bigint"), ("response_headers", "text"),
        ("response_body", "bytea"), ("response_json", "text"), ("response_encoding", "text"), ("redactions", "text"),
        ("proxy_error", "text"), ("match_key", "text"),
    ]

    /// How each column's array element becomes the column's value.
    static func selectExpression(_ name: String) -> String {
        switch name {
        case "started_at": return "started_at::timestamptz"
        case "request_headers", "response_headers", "redactions": return "\(name)::jsonb"
        case "request_json", "response_json": return "NULLIF(\(name), '')::jsonb"
        case "session_id", "response_encoding", "proxy_error": return "NULLIF(\(name), '')"
        default: return name
        }
    }

    static let insertSQL: String = {
        let names = insertColumns.map(\.name)
        let arrays = insertColumns.enumerated().map { "$\($0.offset + 4)::\($0.element.type)[]" }
        return """
            INSERT INTO sessproxy_exchange (recording, sidecar, match_rules, \(names.joined(separator: ", ")))
            SELECT $1, $2, $3, \(names.map(selectExpression).joined(separator: ", "))
            FROM unnest(\(arrays.joined(separator: ", "))) AS row(\(names.joined(separator: ", ")))
            ON CONFLICT (recording, sidecar, exchange_id) DO NOTHING RETURNING exchange_id
            """
    }()

    static func insertQuery(_ exchanges: [RecordedExchange], recording: String, sidecar: String) -> PostgresQuery {
        let rows = exchanges.filter { $0.id != nil }
        var bindings = PostgresBindings(capacity: insertColumns.count + 3)
        bindings.append(recording)
        bindings.append(sidecar)
        bindings.append(ReplayKeyPolicy.storedKeyFingerprint)
        bindings.append(rows.map { $0.id ?? 0 })
        // As text, so the store holds the cassette's millisecond exactly (a bound Date is binary).
        bindings.append(rows.map { Timestamp.format($0.startedAt) })
        bindings.append(rows.map(\.durationMicros))
        bindings.append(rows.map(\.method))
        bindings.append(rows.map(\.target))
        bindings.append(rows.map(\.path))
        bindings.append(rows.map(\.operation.rawValue))
        bindings.append(rows.map { $0.sessionID ?? "" })
        bindings.append(rows.map(\.upstream))
        bindings.append(rows.map { ExchangeColumnText.headers($0.requestHeaders) })
        bindings.append(rows.map { ByteBuffer(bytes: $0.requestBody) })
        bindings.append(rows.map { jsonText($0.requestBody) ?? "" })
        bindings.append(rows.map { Int64($0.status) })
        bindings.append(rows.map { ExchangeColumnText.headers($0.responseHeaders) })
        bindings.append(rows.map { ByteBuffer(bytes: $0.responseBody) })
        bindings.append(rows.map { jsonText($0.responseBody) ?? "" })
        bindings.append(rows.map { $0.responseEncoding ?? "" })
        bindings.append(rows.map { ExchangeColumnText.notes($0.redactions) })
        bindings.append(rows.map { $0.proxyError ?? "" })
        bindings.append(rows.map { ReplayKeyPolicy.keyToStore(for: $0) })
        return PostgresQuery(unsafeSQL: insertSQL, binds: bindings)
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
            requestHeaders: ExchangeColumnText.headers(from: try cells[9].decode(String.self)), requestBody: bytes(try cells[10].decode(ByteBuffer.self)),
            status: try cells[11].decode(Int.self), responseHeaders: ExchangeColumnText.headers(from: try cells[12].decode(String.self)),
            responseBody: bytes(try cells[13].decode(ByteBuffer.self)), responseEncoding: try cells[14].decode(String?.self),
            redactions: ExchangeColumnText.notes(from: try cells[15].decode(String.self)), proxyError: try cells[16].decode(String?.self))
        exchange.id = id
        // A key stored under today's stored-key rules is kept, so a pulled cassette need not
        // compute it again.
        if try cells[18].decode(String?.self) == ReplayKeyPolicy.storedKeyFingerprint {
            exchange.precomputedMatchKey = try cells[17].decode(String?.self)
        }
        return (exchange, FleetCursor(startedAt: startedAt, sidecar: sidecar, exchangeID: id))
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
