import SessproxyCore

/// How to reach the upstream.
public struct UpstreamConfiguration: Sendable {
    public var endpoint: UpstreamEndpoint
    /// Whole-exchange deadline for one upstream call.
    public var timeout: Duration
    /// Extra CA certificates (PEM file) trusted besides the system roots.
    public var additionalCAFile: String?

    public static let defaultTimeout = Duration.seconds(30)

    public init(endpoint: UpstreamEndpoint, timeout: Duration = UpstreamConfiguration.defaultTimeout, additionalCAFile: String? = nil) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.additionalCAFile = additionalCAFile
    }
}
