import Foundation
import NIOCore
import SessproxyCore

/// A request as a serving mode sees it: body already collected within the limit.
public struct ProxyRequest: Sendable {
    public var method: String
    public var target: String
    /// Client headers minus hop-by-hop ones.
    public var headers: [HeaderField]
    public var body: ByteBuffer
    /// Set when the body exceeded the limit; `body` is then empty.
    public var bodyTooLarge: Bool
    public var receivedAt: ContinuousClock.Instant
    public var receivedAtDate: Date
}

/// What a serving mode answers.
public struct ProxyResponse: Sendable {
    public var status: Int
    public var reason: String?
    public var headers: [HeaderField]
    public var body: ByteBuffer
    /// For metrics: the Klarna operation the request was classified as.
    public var operation: KlarnaOperation

    public init(status: Int, reason: String? = nil, headers: [HeaderField], body: ByteBuffer, operation: KlarnaOperation) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.operation = operation
    }

    /// The 413 error for a request body over `limit` bytes.
    static func bodyTooLargeError(limit: Int) -> KlarnaErrorBody {
        KlarnaErrorBody(errorCode: SessproxyErrorCode.bodyTooLarge, errorMessages: ["Request body is larger than the \(limit)-byte limit"])
    }

    /// A Klarna-shaped JSON error answer.
    static func klarnaError(status: Int, _ error: KlarnaErrorBody, operation: KlarnaOperation, extraHeaders: [HeaderField] = []) -> ProxyResponse {
        ProxyResponse(status: status, headers: error.answerHeaders(extraHeaders), body: ByteBuffer(bytes: error.bytes), operation: operation)
    }
}

/// A serving mode (record, replay): turns a proxied request into an answer. Small on purpose,
/// in the manner of Hummingbird's responders, so modes stay independent and testable.
public protocol ExchangeHandler: Sendable {
    /// `record`, `replay`…, reported by the health endpoint.
    var mode: String { get }
    func handle(_ request: ProxyRequest) async -> ProxyResponse
    /// Mode-specific members of the health document (counts).
    func healthMembers() -> [JSONMember]
    /// Extra read-only documents under `/__sessproxy/{name}` (replay serves `misses`).
    func report(named name: String) -> JSONValue?
    /// Mode-specific Prometheus lines, read at each scrape (record's recording backlog).
    func metricsExposition() -> String
}

extension ExchangeHandler {
    public func report(named name: String) -> JSONValue? { nil }
    public func metricsExposition() -> String { "" }
}
