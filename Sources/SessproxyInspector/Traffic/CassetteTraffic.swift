import SessproxyCore
import SessproxyStore

/// Rows of a cassette, paged from SQLite: `inspect FILE` and the page of a recording run.
struct CassetteTraffic: InspectedTraffic {
    let cassette: Cassette
    let mode: String

    func page(filter: ExchangeFilter, from anchor: PageAnchor, limit: Int) throws -> [JSONValue] {
        try cassette.summaries(filter: filter, from: anchor, limit: limit).map(ExchangeDocument.summary)
    }

    func exchanges(filter: ExchangeFilter, limit: Int) throws -> [RecordedExchange] {
        let ids = try cassette.summaries(filter: filter, from: .before(nil), limit: limit).compactMap(\.id)
        return try cassette.exchanges(ids: ids)
    }

    func detail(id: Int64) throws -> JSONValue? {
        guard let exchange = try exchange(id: id) else { return nil }
        return InspectorDocuments.detail(of: exchange, extra: [])
    }

    func exchange(id: Int64) throws -> RecordedExchange? {
        do {
            return try cassette.exchange(id: id)
        } catch CassetteError.exchangeNotFound {
            return nil
        }
    }

    func sessions(after: Int64?, limit: Int) throws -> [JSONValue] {
        try cassette.sessionList(after: after, limit: limit).map {
            InspectorDocuments.sessionRow(sessionID: $0.sessionID, firstExchangeID: $0.firstExchangeID, calls: $0.calls)
        }
    }

    func session(_ sessionID: String) throws -> JSONValue? {
        let exchanges = try cassette.exchanges(inSession: sessionID)
        return SessionTimeline.build(from: exchanges).first.map(InspectorDocuments.timeline)
    }

    func misses() -> [JSONValue] { [] }
}
