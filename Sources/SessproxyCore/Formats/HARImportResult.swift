/// Exchanges read from a HAR, plus how many entries could not become one (a request the
/// browser cancelled or blocked has no response: status 0).
public struct HARImportResult: Sendable, Hashable {
    public var exchanges: [RecordedExchange]
    public var skippedEntries: Int

    public init(exchanges: [RecordedExchange], skippedEntries: Int) {
        self.exchanges = exchanges
        self.skippedEntries = skippedEntries
    }
}
