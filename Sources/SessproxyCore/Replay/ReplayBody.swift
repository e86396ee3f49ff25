/// A request body reduced to what matching compares: JSON by canonical text (key order and
/// whitespace do not matter, redacted values are all `redacted`), anything else by bytes.
public enum ReplayBody: Sendable, Hashable {
    case empty
    /// Canonical text of the redacted, pseudonym-collapsed document.
    case json(String)
    case bytes([UInt8])

    /// The body as matching sees it, as bytes (what the inspector shows of a live request).
    public var bytes: [UInt8] {
        switch self {
        case .empty: return []
        case .json(let text): return Array(text.utf8)
        case .bytes(let bytes): return bytes
        }
    }

    /// The normalised document, for field-level diffs; nil for empty and non-JSON bodies.
    public var jsonValue: JSONValue? {
        guard case .json(let text) = self else { return nil }
        return try? JSONParser.parse(text)
    }
}
