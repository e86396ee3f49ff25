import NIOCore
import NIOHTTP1
import SessproxyCore

/// Answers, behind the HTTP/1 decoder and before Hummingbird sees them, the requests sessproxy
/// will not serve, each with a Klarna-shaped error and a closed connection, written straight to
/// the response encoder:
/// - an open proxy's: absolute-form targets (`GET http://other.host/`, which Hummingbird's type
///   conversion would silently turn into `/x`) get 400 and CONNECT 405, `SESSPROXY_NOT_AN_OPEN_PROXY`;
/// - one that does not parse as HTTP/1 (headers over the decoder's limit, bad framing, an unknown
///   version) gets 431 for the headers and 400 otherwise, `SESSPROXY_MALFORMED_REQUEST`; the
///   decoder's error goes no further, so nothing else answers it.
///
/// It closes the connection after the answer to an HTTP/1.0 request without keep-alive. And it
/// ends a request whose body never finished arriving — the client closed or was cut off
/// mid-body, a chunked body without its last chunk — with `IncompleteRequest` instead of a quiet
/// end of the body, so that what arrived of it is never forwarded upstream as if it were whole.
final class RequestGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The connection ended between a request's head and its end.
    struct IncompleteRequest: Error {}

    private var refusing = false
    /// Between the head of a request passed on and its end.
    private var inRequest = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if refusing { return }
        if case .end = part { inRequest = false }
        if case .head(let head) = part {
            if head.method == .CONNECT {
                refuse(context: context, status: .methodNotAllowed, notAProxy: "CONNECT is not supported")
                return
            }
            if !head.uri.hasPrefix("/") && head.uri != "*" {
                refuse(context: context, status: .badRequest, notAProxy: "absolute-form request targets are not supported")
                return
            }
        }
        // Only a request that went on is one that can be left incomplete.
        if case .head(var head) = part {
            inRequest = true
            // An HTTP/1.0 client without keep-alive reads the answer to the end of the
            // connection: said as `Connection: close`, the connection is closed after it.
            if head.version.major == 1, head.version.minor == 0, !head.isKeepAlive {
                // The headers its `Connection` named are hop-by-hop: gone with it, never forwarded.
                for listed in head.headers["connection"].flatMap({ $0.split(separator: ",") }) {
                    head.headers.remove(name: listed.trimmingCharacters(in: .whitespaces))
                }
                head.headers.replaceOrAdd(name: "Connection", value: "close")
                context.fireChannelRead(wrapInboundOut(.head(head)))
                return
            }
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Also after a refusal: the decoder's error at the end of the stream (a body cut short)
        // is answered here and goes no further, so the request behind it must still fail.
        if inRequest {
            inRequest = false
            context.fireErrorCaught(IncompleteRequest())
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !refusing else { return }
        // A request already passed on fails now, before its body could seem to end quietly.
        if inRequest {
            inRequest = false
            context.fireErrorCaught(IncompleteRequest())
        }
        let tooLarge = parserError == .headerOverflow
        refuse(
            context: context, status: tooLarge ? .requestHeaderFieldsTooLarge : .badRequest,
            KlarnaErrorBody(
                errorCode: SessproxyErrorCode.malformedRequest,
                errorMessages: [tooLarge ? "the request's headers are too large" : "the request is not valid HTTP/1.1 (\(parserError))"]))
    }

    private func refuse(context: ChannelHandlerContext, status: HTTPResponseStatus, notAProxy reason: String) {
        refuse(
            context: context, status: status,
            KlarnaErrorBody(
                errorCode: SessproxyErrorCode.notAProxy,
                errorMessages: ["sessproxy is a reverse proxy for one upstream, not an open proxy: \(reason)"]))
    }

    private func refuse(context: ChannelHandlerContext, status: HTTPResponseStatus, _ error: KlarnaErrorBody) {
        refusing = true
        let body = error.bytes
        let fields = error.answerHeaders([HeaderField(name: "Content-Length", value: String(body.count)), HeaderField(name: "Connection", value: "close")])
        let headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        // The completion runs on the channel's own loop; the bound context says so to the compiler.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}
