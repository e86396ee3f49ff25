import NIOCore
import SessproxyCore

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
