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

    /// Whether a request's `Content-Length` already says its body is over `bodyLimit`: it is then
    /// refused with a 413 before any of the body is read (and gets no `100 Continue`).
    static func declaresTooLargeBody(_ contentLength: String?, bodyLimit: Int) -> Bool {
        contentLength.flatMap { Int($0) }.map { $0 > bodyLimit } ?? false
    }

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
