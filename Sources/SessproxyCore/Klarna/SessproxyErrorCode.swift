import Foundation

/// Error codes for answers sessproxy produces itself.
public enum SessproxyErrorCode {
    public static let upstreamUnreachable = "SESSPROXY_UPSTREAM_UNREACHABLE"
    public static let upstreamReset = "SESSPROXY_UPSTREAM_RESET"
    public static let upstreamTimeout = "SESSPROXY_UPSTREAM_TIMEOUT"
    public static let upstreamTLS = "SESSPROXY_UPSTREAM_TLS"
    public static let upstreamInvalid = "SESSPROXY_UPSTREAM_INVALID_RESPONSE"
    public static let bodyTooLarge = "SESSPROXY_BODY_TOO_LARGE"
    public static let notAProxy = "SESSPROXY_NOT_AN_OPEN_PROXY"
    public static let notFound = "SESSPROXY_NOT_FOUND"
    public static let notProxying = "SESSPROXY_NOT_PROXYING"
    public static let noMatch = "SESSPROXY_NO_MATCH"
    /// A recorded exchange replay could not read back (the file changed under it).
    public static let cassetteUnreadable = "SESSPROXY_CASSETTE_UNREADABLE"
    /// A request sessproxy will not send upstream as it is (a `TRACE` with a body).
    public static let requestRefused = "SESSPROXY_REQUEST_REFUSED"
    /// A request that does not parse as HTTP/1 (headers over the limit, bad framing).
    public static let malformedRequest = "SESSPROXY_MALFORMED_REQUEST"
    /// A request that came back to the sessproxy that forwarded it (`ForwardingMark`).
    public static let forwardingLoop = "SESSPROXY_FORWARDING_LOOP"
}
