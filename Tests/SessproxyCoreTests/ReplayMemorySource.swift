@testable import SessproxyCore

/// Exchanges already in memory, looked up by position: what `InMemoryReplay` reads from, where
/// ids may be missing or repeated (exchanges a test makes up are never stored).
struct ReplayMemorySource: ReplayExchangeSource {
    let exchanges: [RecordedExchange]

    func exchange(id: Int64) -> RecordedExchange? {
        guard id >= 0, id < Int64(exchanges.count) else { return nil }
        return exchanges[Int(id)]
    }
}
