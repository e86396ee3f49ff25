import SessproxyCore

/// Replay's body source backed by a cassette: each hit or miss explanation reads just the rows
/// it needs by primary key. A read error is reported to the engine as a missing exchange.
public struct CassetteReplaySource: ReplayExchangeSource {
    public let cassette: Cassette

    public init(cassette: Cassette) {
        self.cassette = cassette
    }

    public func exchange(id: Int64) -> RecordedExchange? {
        try? cassette.exchange(id: id)
    }

    public func response(id: Int64) -> RecordedResponse? {
        try? cassette.response(id: id)
    }

    public func responses(ids: [Int64]) -> [RecordedResponse?] {
        cassette.responses(ids: ids)
    }

    public func exchanges(ids: [Int64]) -> [Int64: RecordedExchange] {
        let found = (try? cassette.exchanges(ids: ids)) ?? []
        var byID: [Int64: RecordedExchange] = [:]
        byID.reserveCapacity(found.count)
        for exchange in found {
            if let id = exchange.id { byID[id] = exchange }
        }
        return byID
    }
}
