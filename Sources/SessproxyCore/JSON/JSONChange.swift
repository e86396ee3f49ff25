/// One difference found by `JSONDiff`.
public struct JSONChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case added
        case removed
        case changed
    }

    public var kind: Kind
    /// Display path: `order_lines[ref=CAP-7].quantity`.
    public var path: String
    public var before: JSONValue?
    public var after: JSONValue?

    public init(kind: Kind, path: String, before: JSONValue?, after: JSONValue?) {
        self.kind = kind
        self.path = path
        self.before = before
        self.after = after
    }

    /// `order_lines[ref=CAP-7].quantity: 1 → 2`.
    public var summary: String {
        switch kind {
        case .added: return "\(path): added \(Self.short(after))"
        case .removed: return "\(path): removed (was \(Self.short(before)))"
        case .changed: return "\(path): \(Self.short(before)) → \(Self.short(after))"
        }
    }

    /// How much this change weighs when ranking near misses: one per changed leaf, so an
    /// added order-line array with ten fields outweighs one changed quantity.
    public var weight: Int {
        switch kind {
        case .added: return Self.leafCount(after)
        case .removed: return Self.leafCount(before)
        case .changed: return max(1, max(Self.leafCount(before), Self.leafCount(after)))
        }
    }

    static func leafCount(_ value: JSONValue?) -> Int {
        switch value {
        case nil: return 0
        case .array(let items)?: return max(1, items.reduce(0) { $0 + leafCount($1) })
        case .object(let members)?: return max(1, members.reduce(0) { $0 + leafCount($1.value) })
        default: return 1
        }
    }

    static func short(_ value: JSONValue?) -> String {
        guard let value else { return "nothing" }
        let text = JSONSerializer.string(value, style: .canonical)
        return text.count > 80 ? String(text.prefix(77)) + "…" : text
    }
}
