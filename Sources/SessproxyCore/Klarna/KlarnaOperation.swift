/// What a request does in Klarna sessions terms. Everything that is not one of the three
/// session endpoints is `other` and is forwarded and recorded all the same.
public enum KlarnaOperation: String, Sendable, Hashable, Codable, CaseIterable {
    case create
    case read
    case update
    case other
}
