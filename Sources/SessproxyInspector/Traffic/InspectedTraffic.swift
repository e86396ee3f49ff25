import SessproxyCore

/// Where the inspector's rows come from: a cassette (at rest, or being recorded) or the requests
/// a replay run served. Calls may block on SQLite; the inspector makes them off the event loops.
protocol InspectedTraffic: Sendable {
    /// `record`, `replay` or `inspect`.
    var mode: String { get }
    /// A page of list rows from `anchor`, in id order (at most `limit`).
    func page(filter: ExchangeFilter, from anchor: PageAnchor, limit: Int) throws -> [JSONValue]
    /// What matches `filter` as exchanges, for the HAR export: the newest `limit`, in id order.
    func exchanges(filter: ExchangeFilter, limit: Int) throws -> [RecordedExchange]
    /// The detail document of one row, nil when there is none.
    func detail(id: Int64) throws -> JSONValue?
    /// The exchange behind a row, for compare.
    func exchange(id: Int64) throws -> RecordedExchange?
    func sessions(after: Int64?, limit: Int) throws -> [JSONValue]
    func session(_ sessionID: String) throws -> JSONValue?
    /// Replay's miss reports; empty elsewhere.
    func misses() -> [JSONValue]
}
