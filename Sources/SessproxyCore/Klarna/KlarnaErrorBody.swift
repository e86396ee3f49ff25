import Foundation

/// A Klarna-shaped error body (`{correlation_id, error_code, error_messages}`, reference §6.1),
/// used for every answer sessproxy makes itself so that the app's Klarna error handling sees
/// a familiar shape.
public struct KlarnaErrorBody: Sendable, Hashable {
    public var errorCode: String
    public var errorMessages: [String]
    public var correlationID: String
    /// Extra members (a replay miss report, for instance), appended after the standard ones.
    public var extra: [JSONMember]

    public init(errorCode: String, errorMessages: [String], correlationID: String = UUID().uuidString.lowercased(), extra: [JSONMember] = []) {
        self.errorCode = errorCode
        self.errorMessages = errorMessages
        self.correlationID = correlationID
        self.extra = extra
    }

    public var json: JSONValue {
        .object([
            JSONMember(key: "correlation_id", value: .string(correlationID)),
            JSONMember(key: "error_code", value: .string(errorCode)),
            JSONMember(key: "error_messages", value: .array(errorMessages.map { .string($0) })),
        ] + extra)
    }

    public var bytes: [UInt8] { JSONSerializer.bytes(json, style: .compact) }

    /// The headers of an answer carrying this body, as Klarna sends them: JSON, and the
    /// correlation id in `Klarna-Correlation-Id` as well (reference §4). Every error answer
    /// sessproxy or fake Klarna makes itself uses these.
    public func answerHeaders(_ extra: [HeaderField] = []) -> [HeaderField] {
        [HeaderField(name: "Content-Type", value: "application/json"), HeaderField(name: "Klarna-Correlation-Id", value: correlationID)] + extra
    }

    /// Parses a Klarna error body; nil when the bytes are not one.
    public init?(bytes: [UInt8]) {
        guard let json = try? JSONParser.parse(bytes), let code = json["error_code"]?.stringValue else { return nil }
        self.errorCode = code
        self.errorMessages = json["error_messages"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.correlationID = json["correlation_id"]?.stringValue ?? ""
        self.extra = []
    }
}
