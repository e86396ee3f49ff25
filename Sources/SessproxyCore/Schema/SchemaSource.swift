/// Where a component gets its OpenAPI document from, read on first use rather than when the
/// component is made: replay start-up and short commands never pay for reading Klarna's
/// document unless a body actually needs it.
public struct SchemaSource: Sendable {
    private let load: @Sendable () -> OpenAPIDocument?

    public init(_ load: @escaping @Sendable () -> OpenAPIDocument?) {
        self.load = load
    }

    /// Klarna's document, built into the binary.
    public static let klarna = SchemaSource { OpenAPIDocument.klarna }
    /// No document: nothing is known of any body.
    public static let none = SchemaSource { nil }

    public var document: OpenAPIDocument? { load() }
}
