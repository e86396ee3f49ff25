import Foundation

/// One request/response pair as it is kept in a cassette: already redacted, bodies decoded
/// (gzip undone, original encoding noted), ready to be stored, replayed or diffed.
public struct RecordedExchange: Sendable, Hashable {
    /// Row id in the cassette; nil until stored.
    public var id: Int64?
    public var startedAt: Date
    /// Wall time from receiving the request to having the upstream answer, in microseconds.
    public var durationMicros: Int64
    public var method: String
    /// Request target (path and query) as the app sent it, after redaction.
    public var target: String
    public var operation: KlarnaOperation
    public var sessionID: String?
    /// Base URL of the upstream the request went to (`https://api.playground.klarna.com`).
    public var upstream: String
    public var requestHeaders: [HeaderField]
    public var requestBody: [UInt8]
    public var status: Int
    public var responseHeaders: [HeaderField]
    /// Decoded response body (what the app's JSON parser saw).
    public var responseBody: [UInt8]
    /// `Content-Encoding` the upstream used on the wire (`gzip`), nil when identity.
    public var responseEncoding: String?
    /// Where redaction replaced a value: `request.header.authorization`, `response.body.client_token`…
    public var redactions: [String]
    /// Set when sessproxy itself produced the answer (`SESSPROXY_UPSTREAM_TIMEOUT`…).
    public var proxyError: String?
    /// Replay match key under the built-in Klarna rules, when the producer computed it already
    /// (the recorder does, per request, so the single cassette writer does not have to).
    public var precomputedMatchKey: String?

    public init(
        id: Int64? = nil,
        startedAt: Date,
        durationMicros: Int64,
        method: String,
        target: String,
        operation: KlarnaOperation,
        sessionID: String?,
        upstream: String,
        requestHeaders: [HeaderField],
        requestBody: [UInt8],
        status: Int,
        responseHeaders: [HeaderField],
        responseBody: [UInt8],
        responseEncoding: String? = nil,
        redactions: [String] = [],
        proxyError: String? = nil
    ) {
        self.id = id
        self.startedAt = startedAt
        self.durationMicros = durationMicros
        self.method = method
        self.target = target
        self.operation = operation
        self.sessionID = sessionID
        self.upstream = upstream
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.responseEncoding = responseEncoding
        self.redactions = redactions
        self.proxyError = proxyError
    }

    /// The duration in milliseconds as documents carry it (`87.500`: microseconds exact) and
    /// as people read it (`87.5`).
    public func durationMilliseconds(decimals: Int) -> String {
        String(format: "%.\(decimals)f", Double(durationMicros) / 1000)
    }

    /// Path without the query string.
    public var path: String { KlarnaRouteClassifier.pathOnly(target) }

    /// Request body parsed as JSON, nil when empty or not JSON.
    public var requestJSON: JSONValue? {
        requestBody.isEmpty ? nil : try? JSONParser.parse(requestBody)
    }

    /// Response body parsed as JSON, nil when empty or not JSON.
    public var responseJSON: JSONValue? {
        responseBody.isEmpty ? nil : try? JSONParser.parse(responseBody)
    }
}
