/// The normalised identity of a request for replay: two requests with equal keys get the
/// same kind of answer. Built by `ReplayMatcher` from a live request or a recorded exchange.
public struct ReplayRequestKey: Sendable, Hashable {
    /// Upper-cased method.
    public var method: String
    public var operation: KlarnaOperation
    /// Session named by the path (nil for creates and most `other` requests).
    public var sessionID: String?
    /// Path with secrets collapsed to the placeholder, session id kept.
    public var path: String
    /// Query string without `?`, compared verbatim (after secret collapsing); empty when absent.
    public var query: String
    public var body: ReplayBody

    public init(method: String, operation: KlarnaOperation, sessionID: String?, path: String, query: String, body: ReplayBody) {
        self.method = method
        self.operation = operation
        self.sessionID = sessionID
        self.path = path
        self.query = query
        self.body = body
    }

    /// Path and query joined back into a target.
    public var target: String { query.isEmpty ? path : path + "?" + query }
}
