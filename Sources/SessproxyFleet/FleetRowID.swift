/// Where one exchange of a fleet recording lives: the sidecar that shipped it and that
/// sidecar's own exchange id (unique together within a recording).
public struct FleetRowID: Sendable, Hashable {
    public var sidecar: String
    public var exchangeID: Int64

    public init(sidecar: String, exchangeID: Int64) {
        self.sidecar = sidecar
        self.exchangeID = exchangeID
    }
}
