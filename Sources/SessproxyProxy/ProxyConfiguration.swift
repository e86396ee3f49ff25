import SessproxyCore

/// Everything a serving mode needs to know that is not per-request.
public struct ProxyConfiguration: Sendable {
    public var listen: ListenAddress
    /// Largest request or response body accepted, in bytes (Klarna itself refuses > 1 MB).
    public var bodyLimit: Int
    /// Shown in health output: the cassette file this server records to or replays from.
    public var cassettePath: String
    public var redactionRules: RedactionRules

    public static let defaultBodyLimit = 10 * 1024 * 1024

    public init(
        listen: ListenAddress = .default,
        bodyLimit: Int = ProxyConfiguration.defaultBodyLimit,
        cassettePath: String,
        redactionRules: RedactionRules = .klarna
    ) {
        self.listen = listen
        self.bodyLimit = bodyLimit
        self.cassettePath = cassettePath
        self.redactionRules = redactionRules
    }
}
