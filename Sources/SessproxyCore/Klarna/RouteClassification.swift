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
