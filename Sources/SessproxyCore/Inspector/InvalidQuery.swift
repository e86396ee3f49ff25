/// A parameter of the inspector's API that cannot be used; the API answers it 400 with `message`.
public struct InvalidQuery: Error, Sendable, Hashable {
    public let message: String

    public init(message: String) {
        self.message = message
    }

    /// An id (a parameter's value or a path segment): absent or empty is none, anything but a
    /// non-negative integer is refused.
    public static func id(_ text: String?, name: String) throws(InvalidQuery) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let id = Int64(text), id >= 0 else { throw InvalidQuery(message: "\(name) must be a non-negative integer (got \(text))") }
        return id
    }
}

extension [String: String] {
    /// A query parameter of the inspector's API: absent and empty are both none.
    public func parameter(_ name: String) -> String? {
        self[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
