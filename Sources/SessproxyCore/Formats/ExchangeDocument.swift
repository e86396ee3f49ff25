import Foundation

/// The stable JSON shapes of an exchange used by `list --format json`, `show --format json` and
/// `export --format json`. Keys are serialised sorted; bodies that are JSON are embedded as
/// JSON, others as text (or base64 when not UTF-8).
public enum ExchangeDocument {
    /// One row of `list`: id, time, operation, method, path, session id, status, duration.
    public static func summary(_ exchange: RecordedExchange) -> JSONValue {
        .object([
            JSONMember(key: "id", value: .number(String(exchange.id ?? 0))),
            JSONMember(key: "started_at", value: .string(Timestamp.format(exchange.startedAt))),
            JSONMember(key: "operation", value: .string(exchange.operation.rawValue)),
            JSONMember(key: "method", value: .string(exchange.method)),
            JSONMember(key: "path", value: .string(exchange.target)),
            JSONMember(key: "session_id", value: exchange.sessionID.map { .string($0) } ?? .null),
            JSONMember(key: "status", value: .number(String(exchange.status))),
            JSONMember(key: "duration_ms", value: .number(exchange.durationMilliseconds(decimals: 3))),
        ])
    }

    /// The whole exchange, redacted as stored.
    public static func full(_ exchange: RecordedExchange) -> JSONValue {
        .object([
            JSONMember(key: "id", value: .number(String(exchange.id ?? 0))),
            JSONMember(key: "started_at", value: .string(Timestamp.format(exchange.startedAt))),
            JSONMember(key: "duration_ms", value: .number(exchange.durationMilliseconds(decimals: 3))),
            JSONMember(key: "operation", value: .string(exchange.operation.rawValue)),
            JSONMember(key: "session_id", value: exchange.sessionID.map { .string($0) } ?? .null),
            JSONMember(key: "upstream", value: .string(exchange.upstream)),
            JSONMember(key: "request", value: .object([
                JSONMember(key: "method", value: .string(exchange.method)),
                JSONMember(key: "path", value: .string(exchange.target)),
                JSONMember(key: "headers", value: headers(exchange.requestHeaders)),
                JSONMember(key: "body", value: body(exchange.requestBody)),
            ])),
            JSONMember(key: "response", value: .object([
                JSONMember(key: "status", value: .number(String(exchange.status))),
                JSONMember(key: "headers", value: headers(exchange.responseHeaders)),
                JSONMember(key: "body", value: body(exchange.responseBody)),
                JSONMember(key: "original_encoding", value: exchange.responseEncoding.map { .string($0) } ?? .null),
            ])),
            JSONMember(key: "redactions", value: .array(exchange.redactions.map { .string($0) })),
            JSONMember(key: "proxy_error", value: exchange.proxyError.map { .string($0) } ?? .null),
        ])
    }

    /// Schema tag of `export --format json`.
    public static let exportSchema = "sessproxy.cassette/v1"

    /// The whole-cassette review document around already-built `full` documents.
    public static func export(documents: [JSONValue]) -> JSONValue {
        .object([
            JSONMember(key: "schema", value: .string(exportSchema)),
            JSONMember(key: "exchanges", value: .array(documents)),
        ])
    }

    static func headers(_ fields: [HeaderField]) -> JSONValue {
        .array(fields.map { .array([.string($0.name), .string($0.value)]) })
    }

    /// A body as JSON when it parses, as text when UTF-8, else `{"base64": …}`; null when empty.
    public static func body(_ bytes: [UInt8]) -> JSONValue {
        if bytes.isEmpty { return .null }
        if let json = try? JSONParser.parse(bytes) { return json }
        if let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
        return .object([JSONMember(key: "base64", value: .string(Data(bytes).base64EncodedString()))])
    }
}
