import SessproxyCore
import SessproxyStore
import Synchronization

/// The requests a replay run served, hits and misses, numbered in the order served and kept in
/// memory (the newest `capacity`); a hit's detail links the recorded exchange it came from, which
/// is read from the cassette.
final class ReplayTraffic: InspectedTraffic {
    let mode = "replay"
    let cassette: Cassette?
    let capacity: Int
    private let served = Mutex<[ServedRequest]>([])

    init(cassette: Cassette?, capacity: Int = 10_000) {
        self.cassette = cassette
        self.capacity = capacity
    }

    /// Keeps the newest `capacity`, dropping the oldest in chunks of a quarter so that an
    /// append stays O(1) on average (one shift per `capacity / 4` appends, not one per append).
    func append(_ request: ServedRequest) {
        served.withLock { list in
            list.append(request)
            if list.count >= capacity + capacity / 4 { list.removeFirst(list.count - capacity) }
        }
    }

    private var snapshot: [ServedRequest] { served.withLock { $0 } }

    func page(filter: ExchangeFilter, after: Int64?, limit: Int) throws -> [JSONValue] {
        Array(snapshot.lazy.filter { ($0.number > (after ?? 0)) && filter.matches($0.exchange) }.prefix(limit).map(InspectorDocuments.summary))
    }

    func exchanges(filter: ExchangeFilter, limit: Int) throws -> [RecordedExchange] {
        Array(snapshot.lazy.map(\.exchange).filter(filter.matches).prefix(limit))
    }

    func detail(id: Int64) throws -> JSONValue? {
        guard let request = snapshot.first(where: { $0.number == id }) else { return nil }
        return InspectorDocuments.detail(of: request)
    }

    func exchange(id: Int64) throws -> RecordedExchange? {
        snapshot.first(where: { $0.number == id })?.exchange
    }

    /// A recorded exchange of the replayed cassette, for a hit's link.
    func recorded(id: Int64) throws -> JSONValue? {
        guard let cassette else { return nil }
        do {
            return InspectorDocuments.detail(of: try cassette.exchange(id: id), extra: [])
        } catch CassetteError.exchangeNotFound {
            return nil
        }
    }

    func sessions(after: Int64?, limit: Int) throws -> [JSONValue] {
        let timelines = SessionTimeline.build(from: snapshot.map(\.exchange))
        return timelines.filter { ($0.steps.first?.exchangeID ?? 0) > (after ?? 0) }.prefix(limit).map { timeline in
            InspectorDocuments.sessionRow(
                sessionID: timeline.sessionID, firstExchangeID: timeline.steps.first?.exchangeID ?? 0, calls: timeline.steps.count)
        }
    }

    func session(_ sessionID: String) throws -> JSONValue? {
        SessionTimeline.build(from: snapshot.filter { $0.sessionID == sessionID }.map(\.exchange)).first.map(InspectorDocuments.timeline)
    }

    func misses() -> [JSONValue] {
        snapshot.compactMap(\.miss)
    }
}
