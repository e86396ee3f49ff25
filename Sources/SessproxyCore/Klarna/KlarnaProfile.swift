/// What sessproxy knows about Klarna traffic beyond routing and redaction: which headers and
/// fields change on every call (noise for replay matching and diff).
public enum KlarnaProfile {
    /// Request headers that never take part in replay matching.
    public static let volatileRequestHeaders: Set<String> = [
        "date", "user-agent", "authorization", "proxy-authorization", "cookie", "klarna-correlation-id",
        "x-request-id", "x-correlation-id", "traceparent", "tracestate", "content-length", "host", "connection",
        "accept-encoding", "klarna-idempotency-key", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded",
    ]

    /// Response headers that differ on every call and are ignored by diff.
    public static let volatileResponseHeaders: Set<String> = [
        "date", "klarna-correlation-id", "render-time", "x-envoy-upstream-service-time", "content-length",
        "transfer-encoding", "connection", "set-cookie", "x-request-id", "expires", "last-modified", "etag", "age",
        "strict-transport-security", "server", "vary", "sessproxy-replay",
    ]

    /// Body fields that differ on every call (ids, tokens, times): ignored by diff by default.
    public static let noiseBodyPaths: [JSONPathPattern] = [
        "**.session_id", "**.client_token", "**.authorization_token", "**.correlation_id", "**.expires_at",
        "**.order_id", "**.fraud_status_id", "**.request_id",
    ].map { try! JSONPathPattern($0) }
}
