import SessproxyCore

/// What replay needs of a cassette at start-up: one lightweight entry per exchange, in
/// recorded order, with match keys valid for the replay rules.
public struct CassetteReplayIndex: Sendable {
    public var entries: [ReplayIndexEntry]
    public var reading: ReplayIndexReading
}
