import NIOHTTP1

/// Which failed requests the upstream pool sends once more, on a new connection.
///
/// Only one that died on a kept-alive connection before any byte of its answer
/// (`closedWhenReused`: the upstream ended the idle connection just as the request went out,
/// a race every keep-alive client meets) and whose method is idempotent (RFC 9110 §9.2.2), so
/// that repeating it cannot do twice what the upstream may already have done: reading a Klarna
/// session is repeated, creating or updating one (POST) never is — the app gets
/// `SESSPROXY_UPSTREAM_RESET` and retries as it sees fit. `Klarna-Idempotency-Key` changes
/// nothing: it is not known to be honoured on the sessions API. One repeat at most, within the
/// request's own deadline.
enum UpstreamRetryPolicy {
    static let idempotentMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE]

    static func repeatsOnNewConnection(after error: any Error, method: HTTPMethod, isRepeat: Bool) -> Bool {
        guard error as? UpstreamConnectionError == .closedWhenReused else { return false }
        return mayRepeat(method, isRepeat: isRepeat)
    }

    /// Whether some failure of this request could be repeated at all (the pool keeps a request
    /// that cannot off the path that repeats).
    static func mayRepeat(_ method: HTTPMethod, isRepeat: Bool) -> Bool {
        !isRepeat && idempotentMethods.contains(method)
    }
}
