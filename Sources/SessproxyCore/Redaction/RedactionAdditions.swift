/// User additions to the built-in profile, as read from a `--redaction-config` file.
public struct RedactionAdditions: Sendable, Hashable {
    public var headers: [String]
    public var paths: [JSONPathPattern]
    public var embeddedJSONPaths: [JSONPathPattern]
    public var keepPaths: [JSONPathPattern]
    public var formats: [FormattedPath]

    public init(
        headers: [String] = [],
        paths: [JSONPathPattern] = [],
        embeddedJSONPaths: [JSONPathPattern] = [],
        keepPaths: [JSONPathPattern] = [],
        formats: [FormattedPath] = []
    ) {
        self.headers = headers
        self.paths = paths
        self.embeddedJSONPaths = embeddedJSONPaths
        self.keepPaths = keepPaths
        self.formats = formats
    }
}
