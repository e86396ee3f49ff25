/// One HTTP header as sent on the wire. A list (not a dictionary) because order and repeated
/// names are part of what was exchanged.
public struct HeaderField: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HeaderField {
    /// First value of a header, compared case-insensitively.
    public func value(of name: String) -> String? {
        let lowered = name.lowercased()
        return first(where: { $0.name.lowercased() == lowered })?.value
    }

    /// Copy without the named headers (case-insensitive).
    public func removing(_ names: Set<String>) -> [HeaderField] {
        filter { !names.contains($0.name.lowercased()) }
    }
}
