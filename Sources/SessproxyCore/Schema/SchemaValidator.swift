/// Checks a JSON document against a `SchemaNode`: types, enums, patterns, string lengths,
/// integer bounds, array sizes, unique items and required properties. Properties the schema
/// does not name are allowed (the document never says `additionalProperties: false`, and
/// real clients send extra `options` keys). Fake Klarna answers `400 BAD_VALUE` with the
/// violations' paths; tests use it to check what replay serves.
public enum SchemaValidator {
    /// One broken constraint: where (`billing_address.country`, `$` for the root) and which.
    public struct Violation: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var reason: String

        public var description: String { "\(path): \(reason)" }
    }

    public static func violations(of value: JSONValue, against schema: SchemaNode) -> [Violation] {
        var found: [Violation] = []
        var path: [JSONPathComponent] = []
        check(value, schema, &path, &found)
        return found
    }

    private static func check(_ value: JSONValue, _ schema: SchemaNode, _ path: inout [JSONPathComponent], _ found: inout [Violation]) {
        func add(_ reason: String) { found.append(Violation(path: path.pathString, reason: reason)) }
        if let kind = schema.kind, !fits(value, kind) {
            add("expected \(kind.rawValue)")
            return
        }
        switch value {
        case .string(let text):
            if let allowed = schema.enumValues, !allowed.contains(text) { add("not one of the enum's values") }
            let length = text.count
            if let minimum = schema.minLength, length < minimum { add("shorter than \(minimum)") }
            if let maximum = schema.maxLength, length > maximum { add("longer than \(maximum)") }
            if let pattern = schema.pattern, !pattern.matches(text) { add("does not match \(pattern.description)") }
        case .number(let lexeme):
            if let integer = Int64(lexeme) {
                if let minimum = schema.minimum, integer < minimum { add("less than \(minimum)") }
                if let maximum = schema.maximum, integer > maximum { add("more than \(maximum)") }
            } else if schema.kind == .integer {
                add("expected integer")
            }
        case .array(let items):
            if let minimum = schema.minItems, items.count < minimum { add("fewer than \(minimum) items") }
            if let maximum = schema.maxItems, items.count > maximum { add("more than \(maximum) items") }
            if schema.uniqueItems, Set(items.map(\.canonicalText)).count != items.count { add("items are not unique") }
            if let itemSchema = schema.items {
                for (offset, item) in items.enumerated() {
                    path.append(.index(offset))
                    check(item, itemSchema, &path, &found)
                    path.removeLast()
                }
            }
        case .object(let members):
            for name in schema.required where !members.contains(where: { $0.key == name }) {
                path.append(.key(name))
                add("required")
                path.removeLast()
            }
            for member in members {
                guard let child = schema.properties[member.key] else { continue }
                path.append(.key(member.key))
                check(member.value, child, &path, &found)
                path.removeLast()
            }
        case .null, .bool:
            break
        }
    }

    /// Whether a value is of the schema's type (an integer lexeme for `integer`).
    static func fits(_ value: JSONValue, _ kind: SchemaNode.Kind) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object), (.number, .number): return true
        case (.integer, .number(let lexeme)): return !lexeme.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        default: return false
        }
    }
}
