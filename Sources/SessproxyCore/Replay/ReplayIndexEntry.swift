/// One recorded exchange as replay needs it to build its state: no bodies, just what routes
/// and groups the request. Loaded for the whole cassette at start-up, so it stays small.
public struct ReplayIndexEntry: Sendable, Hashable {
    public var exchangeID: Int64
    /// Session recorded with the exchange (for a create: the one its response names, when known).
    public var sessionID: String?
    public var method: String
    /// Request target as stored (path and query).
    public var target: String
    /// `ReplayMatchKey.digest` of the exchange's request key under the replay rules.
    public var matchKey: String

    public init(exchangeID: Int64, sessionID: String?, method: String, target: String, matchKey: String) {
        self.exchangeID = exchangeID
        self.sessionID = sessionID
        self.method = method
        self.target = target
        self.matchKey = matchKey
    }
}
