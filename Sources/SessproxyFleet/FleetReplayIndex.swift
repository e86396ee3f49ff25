import SessproxyCore

/// What replay needs of a fleet recording at start-up, read without bodies: one entry per
/// exchange in fleet order (time, sidecar, the sidecar's id), numbered 1… as a pulled cassette
/// numbers them, and where each number's row lives in the store.
public struct FleetReplayIndex: Sendable {
    public var entries: [ReplayIndexEntry]
    /// `rows[n - 1]` is the store row of entry number `n`.
    public var rows: [FleetRowID]
    /// Keys that had to be computed from bodies (rows shipped without a key, or other rules).
    public var computedKeys: Int

    /// The store row of replay exchange `id`, nil outside the recording.
    public func row(of id: Int64) -> FleetRowID? {
        id >= 1 && id <= Int64(rows.count) ? rows[Int(id - 1)] : nil
    }
}
