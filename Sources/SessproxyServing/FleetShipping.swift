import SessproxyCore

/// Where a recording run ships to: `record --ship URL --recording NAME [--sidecar ID]`.
public struct FleetShipping: Sendable {
    public var location: FleetLocation
    /// Resolved from the URL, `PGPASSWORD` or a pgpass file; never printed.
    public var password: String?
    public var recording: String
    public var sidecar: String

    public init(location: FleetLocation, password: String?, recording: String, sidecar: String) {
        self.location = location
        self.password = password
        self.recording = recording
        self.sidecar = sidecar
    }
}
