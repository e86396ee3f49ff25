import SessproxyCore
import Synchronization

/// The requests a replay run served, hits and misses, numbered in the order served and kept in
/// memory (the newest `capacity`); a hit's detail links the recorded exchange it came from, which
/// is read from the replayed recording (a cassette or a fleet recording) through replay's own
/// body source.
final class ReplayTraffic: InspectedTraffic {
    let mode = "replay"
    let recordings: (any ReplayExchangeSource)?
    let capacity: Int
    private let served = Mutex<[ServedRequest]>([])

    init(recordings: (any ReplayExchangeSource)?, capacity: Int = 10_000) {
        self.recordings = recordings
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

    func page(filter: ExchangeFilter, from anchor: PageAnchor, limit: Int) throws -> [JSONValue] {
        anchor.page(of: snapshot.lazy.filter { filter.matches($0.exchange) }, id: \.number, limit: limit).map(InspectorDocuments.summary)
    }

    func exchanges(filter: ExchangeFilter, limit: Int) throws -> [RecordedExchange] {
        PageAnchor.before(nil).page(of: snapshot.lazy.filter { filter.matches($0.exchange) }, id: \.number, limit: limit).map(\.exchange)
    }

    func detail(id: Int64) throws -> JSONValue? {
        guard let request = snapshot.first(where: { $0.number == id }) else { return nil }
        return InspectorDocuments.detail(of: request)
    }

    func exchange(id: Int64) throws -> RecordedExchange? {
        snapshot.first(where: { $0.number == id })?.exchange
    }

    /// A recorded exchange of the replayed recording, for a hit's link.
    func recorded(id: Int64) throws -> JSONValue? {
        recordings?.exchange(id: id).map { InspectorDocuments.detail(of: $0, extra: []) }
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
