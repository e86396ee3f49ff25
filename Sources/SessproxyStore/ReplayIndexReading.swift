/// How reading a replay index went, beside the entries it delivered.
public struct ReplayIndexReading: Sendable {
    /// Keys that had to be computed from bodies (older cassettes, or other redaction rules).
    public var computedKeys: Int
    /// Whether computed keys were written back so the next start skips that work.
    public var storedComputedKeys: Bool
    /// Whether `ReplayKeyPolicy` would have the computed keys written back, had the cassette
    /// been open for writing.
    public var keysWorthStoring: Bool { !unstoredKeys.isEmpty }
    /// Keys worth storing that were not (the cassette was read in place), and the rules
    /// fingerprint the file had when they were computed: `Cassette.storeKeys(of:matcher:)`
    /// writes them through an opening that may write.
    var unstoredKeys: [Int64: String] = [:]
    var storedFingerprint: String?
}
