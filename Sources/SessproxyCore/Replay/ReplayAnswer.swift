/// What the replay server sends back for a hit: a recorded response made ready for the wire.
/// Equal requests against equal replay state give byte-identical answers.
public struct ReplayAnswer: Sendable, Hashable {
    /// Header naming the recorded exchange an answer came from.
    public static let replayHeaderName = "Sessproxy-Replay"

    public var status: Int
    public var headers: [HeaderField]
    public var body: [UInt8]
    public var exchangeID: Int64
    /// The session the recorded exchange belongs to (a create's is the one it made).
    public var sessionID: String?

    public init(status: Int, headers: [HeaderField], body: [UInt8], exchangeID: Int64, sessionID: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.exchangeID = exchangeID
        self.sessionID = sessionID
    }

    /// The answer for a recorded exchange: recorded status, recorded headers minus the dropped
    /// ones plus `Sessproxy-Replay`, recorded body with every pseudonym replaced by a stand-in
    /// of its field's shape (`ReplayBodyRenderer`), or the recorded bytes untouched when nothing
    /// was redacted.
    public init(
        recorded: RecordedResponse, exchangeID: Int64, operation: KlarnaOperation, sessionID: String?,
        renderer: ReplayBodyRenderer = ReplayBodyRenderer()
    ) {
        var headers = HeaderPolicy.replayedResponseHeaders(recorded.headers)
        headers.append(HeaderField(name: Self.replayHeaderName, value: String(exchangeID)))
        let body = renderer.render(recorded.body, operation: operation, status: recorded.status, sessionID: sessionID) ?? recorded.body
        self.init(status: recorded.status, headers: headers, body: body, exchangeID: exchangeID, sessionID: sessionID)
    }
}
