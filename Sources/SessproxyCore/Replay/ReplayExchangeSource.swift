/// Where replay reads full recorded exchanges from, by id, when it needs a body: to answer a
/// hit, to learn a create's session from its response, and to diff candidates for a miss.
/// Keeping bodies behind this keeps start-up time and memory independent of body sizes.
public protocol ReplayExchangeSource: Sendable {
    /// The exchange with this id, or nil when it cannot be read.
    func exchange(id: Int64) -> RecordedExchange?
    /// Several exchanges at once (missing ones left out); a store can answer in one query.
    func exchanges(ids: [Int64]) -> [Int64: RecordedExchange]
    /// Just the recorded answer of one exchange (what a hit sends), or nil when unreadable.
    func response(id: Int64) -> RecordedResponse?
    /// The answers of several hits at once, in the order of `ids` (nil where unreadable): one
    /// job on the blocking pool for the hits of one event-loop turn.
    func responses(ids: [Int64]) -> [RecordedResponse?]
}

extension ReplayExchangeSource {
    public func response(id: Int64) -> RecordedResponse? {
        exchange(id: id).map(RecordedResponse.init(of:))
    }

    public func responses(ids: [Int64]) -> [RecordedResponse?] {
        ids.map { response(id: $0) }
    }

    public func exchanges(ids: [Int64]) -> [Int64: RecordedExchange] {
        var found: [Int64: RecordedExchange] = [:]
        for id in ids {
            if let exchange = exchange(id: id) { found[id] = exchange }
        }
        return found
    }
}
