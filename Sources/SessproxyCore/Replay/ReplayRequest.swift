/// A live request as the replay server received it, before any normalisation. Headers are
/// carried for logging and future use; matching ignores them (see `ReplayMatcher`).
public struct ReplayRequest: Sendable, Hashable {
    public var method: String
    /// Request target as sent: path and query.
    public var target: String
    public var headers: [HeaderField]
    /// Decoded request body.
    public var body: [UInt8]

    public init(method: String, target: String, headers: [HeaderField] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Convenience for tests and tools: a UTF-8 body given as text.
    public init(method: String, target: String, headers: [HeaderField] = [], text: String) {
        self.init(method: method, target: target, headers: headers, body: Array(text.utf8))
    }
}
