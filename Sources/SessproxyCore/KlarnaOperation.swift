/// What a request does in Klarna sessions terms. Everything that is not one of the three
/// session endpoints is `other` and is forwarded and recorded all the same.
public enum KlarnaOperation: String, Sendable, Hashable, Codable, CaseIterable {
    case create
    case read
    case update
    case other
}

/// The result of routing a request: the operation, and the session it belongs to when the
/// path names one (a create learns its session id only from the response body).
public struct RouteClassification: Sendable, Hashable {
    public var operation: KlarnaOperation
    public var sessionID: String?

    public init(operation: KlarnaOperation, sessionID: String?) {
        self.operation = operation
        self.sessionID = sessionID
    }
}
