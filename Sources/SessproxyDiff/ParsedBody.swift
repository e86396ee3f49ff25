import SessproxyCore

/// A body as diff sees it: empty, JSON with the noise already stripped, or opaque bytes (an HTML
/// 401 page) that are only ever described by size, never printed.
enum ParsedBody {
    enum Content: Equatable, Sendable {
        case empty
        case json(JSONValue)
        case opaque([UInt8])

        /// `not JSON, 312 bytes` (`withheld, 24 bytes (not valid JSON)` for one the cassette
        /// kept only the length and digest of): how an opaque body is mentioned.
        var shape: String {
            switch self {
            case .empty: return "empty"
            case .json(let value): return "JSON, \(value.canonicalText.utf8.count) bytes"
            case .opaque(let bytes):
                // What the cassette kept of a body it could not redact: speak of that body.
                if let withheld = WithheldBody(marker: bytes) { return "withheld, \(withheld.length) bytes (\(withheld.reason))" }
                return "not JSON, \(bytes.count) bytes"
            }
        }

        /// `error_code` and `error_messages` of a Klarna error body; nil when this is not one.
        var errorFields: [String: JSONValue]? {
            guard case .json(let value) = self, value["error_code"]?.stringValue != nil else { return nil }
            var fields: [String: JSONValue] = [:]
            for name in ParsedBody.errorFieldNames { fields[name] = value[name] }
            return fields
        }

        /// The body without the error fields (reported on their own, first); nil-equivalent when nothing is left.
        var withoutErrorFields: Content {
            guard errorFields != nil, case .json(var value) = self else { return self }
            for name in ParsedBody.errorFieldNames { value = value.removing(name) }
            if case .object(let members) = value, members.isEmpty { return .empty }
            return .json(value)
        }
    }

    static let errorFieldNames = ["error_code", "error_messages"]

    static func parse(_ bytes: [UInt8], filter: NoiseFilter) -> Content {
        guard !bytes.isEmpty else { return .empty }
        guard let value = try? JSONParser.parse(bytes) else { return .opaque(bytes) }
        return .json(filter.clean(value))
    }
}
