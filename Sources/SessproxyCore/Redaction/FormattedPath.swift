/// A location and the format of the values redacted there.
public struct FormattedPath: Sendable, Hashable {
    public var pattern: JSONPathPattern
    public var format: FieldFormat

    public init(pattern: JSONPathPattern, format: FieldFormat) {
        self.pattern = pattern
        self.format = format
    }
}
