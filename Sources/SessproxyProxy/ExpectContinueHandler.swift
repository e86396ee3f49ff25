import NIOCore
import NIOHTTP1

/// Answers `Expect: 100-continue` with `100 Continue` itself, as nginx does in front of an
/// upstream: sessproxy reads the whole body before it forwards anything, so the expectation is
/// met here and not passed on. Without it a client that asks (.NET's `HttpWebRequest`, curl
/// for large bodies) waits out its own timer — a second with curl — before every body it sends.
///
/// A body declared larger than the limit gets no 100: the 413 comes at once and the client
/// need not send it. The 100 goes out only when no earlier response on the connection is still
/// owed, so a pipelined request cannot splice it into that response.
final class ExpectContinueHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let bodyLimit: Int
    /// Request heads seen and final responses ended on this connection.
    private var requestsSeen = 0
    private var responsesEnded = 0
    /// Requests (by their number) whose 100 waits for the responses before them to end.
    private var continuesWaiting: [Int] = []

    init(bodyLimit: Int) {
        self.bodyLimit = bodyLimit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let number = requestsSeen
        requestsSeen += 1
        guard Self.expectsContinue(head) else {
            context.fireChannelRead(data)
            return
        }
        head.headers.remove(name: "Expect")
        if !ProxyConfiguration.declaresTooLargeBody(head.headers.first(name: "Content-Length"), bodyLimit: bodyLimit) {
            if number == responsesEnded {
                writeContinue(context: context)
            } else {
                continuesWaiting.append(number)
            }
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let part = unwrapOutboundIn(data)
        context.write(data, promise: promise)
        guard case .end = part else { return }
        responsesEnded += 1
        if let next = continuesWaiting.first, next == responsesEnded {
            continuesWaiting.removeFirst()
            writeContinue(context: context)
        }
    }

    private func writeContinue(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
    }

    /// RFC 9110 §10.1.1: only HTTP/1.1 clients get a 100; the expectation's value is
    /// case-insensitive.
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        guard head.version.major > 1 || (head.version.major == 1 && head.version.minor >= 1) else { return false }
        return head.headers[canonicalForm: "Expect"].contains { $0.lowercased() == "100-continue" }
    }
}
