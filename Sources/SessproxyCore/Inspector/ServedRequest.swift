/// One request a replay run served, hit or miss, as the inspector lists it: the exchange as
/// served (its id is the request's number in this run, 1 for the first), and where the answer
/// came from.
public struct ServedRequest: Sendable {
    /// What was asked and answered; `id` is the number in this run, `upstream` is `replay`.
    public var exchange: RecordedExchange
    /// The recorded exchange a hit was answered from; nil for a miss.
    public var recordedExchangeID: Int64?
    /// The miss report (nearest recordings, field-level reasons), as `/__sessproxy/misses` gives it.
    public var miss: JSONValue?

    public init(exchange: RecordedExchange, recordedExchangeID: Int64?, miss: JSONValue?) {
        self.exchange = exchange
        self.recordedExchangeID = recordedExchangeID
        self.miss = miss
    }

    public var number: Int64 { exchange.id ?? 0 }
    public var sessionID: String? { exchange.sessionID }
    public var isHit: Bool { miss == nil }
}
