/// One schema of an OpenAPI 3.0 document with its `$ref`s resolved: the constraints replay must
/// keep when it renders a redacted value, and that fake Klarna checks request bodies against.
/// Only what Klarna's document uses is modelled; anything else in a schema is ignored.
public final class SchemaNode: Sendable {
    public enum Kind: String, Sendable {
        case string, integer, number, boolean, array, object
    }

    public let kind: Kind?
    /// Property schemas by name (a `KeyTable`: body walks look one up per member).
    public let properties: KeyTable<SchemaNode>
    /// Property names in document order (for stable error messages).
    public let propertyOrder: [String]
    public let required: [String]
    public let items: SchemaNode?
    public let enumValues: [String]?
    public let pattern: SchemaPattern?
    public let format: String?
    public let minLength: Int?
    public let maxLength: Int?
    public let minimum: Int64?
    public let maximum: Int64?
    public let minItems: Int?
    public let maxItems: Int?
    public let uniqueItems: Bool
    public let readOnly: Bool

    public init(
        kind: Kind?, properties: [(String, SchemaNode)] = [], required: [String] = [], items: SchemaNode? = nil,
        enumValues: [String]? = nil, pattern: SchemaPattern? = nil, format: String? = nil, minLength: Int? = nil,
        maxLength: Int? = nil, minimum: Int64? = nil, maximum: Int64? = nil, minItems: Int? = nil, maxItems: Int? = nil,
        uniqueItems: Bool = false, readOnly: Bool = false
    ) {
        self.kind = kind
        self.properties = KeyTable(properties)
        self.propertyOrder = properties.map(\.0)
        self.required = required
        self.items = items
        self.enumValues = enumValues
        self.pattern = pattern
        self.format = format
        self.minLength = minLength
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.minItems = minItems
        self.maxItems = maxItems
        self.uniqueItems = uniqueItems
        self.readOnly = readOnly
    }

    /// The schema of the value at `path` below this one, or nil where the document says nothing
    /// (an unknown property, an index into something that is not an array).
    public func node(at path: some Collection<JSONPathComponent>) -> SchemaNode? {
        var node = self
        for component in path {
            switch component {
            case .key(let key):
                guard let child = node.properties[key] else { return nil }
                node = child
            case .index:
                guard let child = node.items else { return nil }
                node = child
            }
        }
        return node
    }

    /// Whether the document types this location as a number (`integer` or `number`).
    public var isNumeric: Bool { kind == .integer || kind == .number }
}
