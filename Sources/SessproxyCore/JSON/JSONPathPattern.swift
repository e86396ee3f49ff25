/// A small path language for naming fields in a JSON body, used by redaction rules,
/// diff ignores and reports: `billing_address.email`, `order_lines[*].merchant_data`,
/// `*.given_name` (any one key), `**.email` (any depth), `order_lines[2].name`.
public struct JSONPathPattern: Sendable, Hashable, CustomStringConvertible {
    public enum Segment: Sendable, Hashable {
        case key(String)
        case index(Int)
        case anyKey
        case anyIndex
        case anyDepth
    }

    public let segments: [Segment]
    public let description: String

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let pattern: String
        public let reason: String
        public var description: String { "invalid JSON path '\(pattern)': \(reason)" }
    }

    public init(_ text: String) throws(ParseError) {
        var segments: [Segment] = []
        var trimmed = Substring(text)
        if trimmed.hasPrefix("$.") { trimmed = trimmed.dropFirst(2) } else if trimmed.hasPrefix("$") { trimmed = trimmed.dropFirst() }
        guard !trimmed.isEmpty else { throw ParseError(pattern: text, reason: "empty path") }
        for part in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw ParseError(pattern: text, reason: "empty segment") }
            var rest = part
            if let bracket = rest.firstIndex(of: "[") {
                let name = rest[..<bracket]
                if !name.isEmpty { segments.append(Self.keySegment(name)) }
                rest = rest[bracket...]
                while !rest.isEmpty {
                    guard rest.first == "[", let close = rest.firstIndex(of: "]") else {
                        throw ParseError(pattern: text, reason: "unbalanced brackets")
                    }
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    if inner.isEmpty || inner == "*" {
                        segments.append(.anyIndex)
                    } else if let index = Int(inner), index >= 0 {
                        segments.append(.index(index))
                    } else if inner.hasPrefix("ref=") {
                        // What `diff` prints: it lines order lines up by their reference.
                        throw ParseError(
                            pattern: text,
                            reason: "[\(inner)] is how diff names an order line; a path takes an index or * instead (\(name.isEmpty ? "order_lines" : name)[*]…)")
                    } else {
                        throw ParseError(pattern: text, reason: "array index must be a number or *")
                    }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                segments.append(Self.keySegment(rest))
            }
        }
        self.segments = segments
        self.description = text
    }

    private static func keySegment(_ name: Substring) -> Segment {
        switch name {
        case "*": return .anyKey
        case "**": return .anyDepth
        default: return .key(String(name))
        }
    }

    /// Whether a concrete location matches this pattern.
    public func matches(_ location: [JSONPathComponent]) -> Bool {
        Self.match(segments[...], location[...])
    }

    private static func match(_ pattern: ArraySlice<Segment>, _ location: ArraySlice<JSONPathComponent>) -> Bool {
        guard let head = pattern.first else { return location.isEmpty }
        if case .anyDepth = head {
            let rest = pattern.dropFirst()
            var remaining = location
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let component = location.first else { return false }
        switch (head, component) {
        case (.key(let expected), .key(let actual)) where expected == actual: break
        case (.anyKey, .key): break
        case (.anyIndex, .index): break
        case (.index(let expected), .index(let actual)) where expected == actual: break
        default: return false
        }
        return match(pattern.dropFirst(), location.dropFirst())
    }

    /// The last literal key, used to skip patterns cheaply when walking a document.
    var lastKey: String? {
        if case .key(let name) = segments.last { return name }
        return nil
    }
}
