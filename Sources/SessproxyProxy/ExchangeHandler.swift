import SessproxyCore

/// A serving mode (record, replay): turns a proxied request into an answer. Small on purpose,
/// in the manner of Hummingbird's responders, so modes stay independent and testable.
public protocol ExchangeHandler: Sendable {
    /// `record`, `replay`…, reported by the health endpoint.
    var mode: String { get }
    func handle(_ request: ProxyRequest) async -> ProxyResponse
    /// Mode-specific members of the health document (counts).
    func healthMembers() -> [JSONMember]
    /// Extra read-only documents under `/__sessproxy/{name}` (replay serves `misses`).
    func report(named name: String) -> JSONValue?
    /// Mode-specific Prometheus lines, read at each scrape (record's recording backlog).
    func metricsExposition() -> String
}

extension ExchangeHandler {
    public func report(named name: String) -> JSONValue? { nil }
    public func metricsExposition() -> String { "" }
}
