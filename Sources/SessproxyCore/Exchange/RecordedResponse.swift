/// The answer half of a recorded exchange (status, headers, stored body): all that replaying a
/// hit needs, so a store can read just these columns instead of the whole row.
public struct RecordedResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [HeaderField]
    public var body: [UInt8]

    public init(status: Int, headers: [HeaderField], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public init(of exchange: RecordedExchange) {
        self.init(status: exchange.status, headers: exchange.responseHeaders, body: exchange.responseBody)
    }
}
