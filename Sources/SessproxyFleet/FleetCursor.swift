import Foundation

/// Where a reader is in a fleet recording: rows come in (started_at, sidecar, exchange_id)
/// order, so that many sidecars' rows interleave by time and each sidecar's stay in its order.
public struct FleetCursor: Sendable, Hashable {
    public var startedAt: Date
    public var sidecar: String
    public var exchangeID: Int64
}
