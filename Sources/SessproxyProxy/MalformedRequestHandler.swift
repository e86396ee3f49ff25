import NIOCore
import NIOHTTP1
import SessproxyCore

/// Answers a request that does not parse as HTTP/1 (headers too large, bad framing, an unknown
/// version) with a Klarna-shaped error, as every other answer sessproxy makes itself: `431` for
/// headers over the decoder's limit, `400` otherwise, and closes the connection. Sits right
/// behind the request decoder; the error goes no further, so nothing else answers it.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !answered { context.fireChannelRead(data) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let tooLarge = parserError == .headerOverflow
        let answer = KlarnaErrorBody(
            errorCode: SessproxyErrorCode.malformedRequest,
            errorMessages: [tooLarge ? "the request's headers are too large" : "the request is not valid HTTP/1.1 (\(parserError))"])
        ClosingErrorAnswer.write(answer, status: tooLarge ? .requestHeaderFieldsTooLarge : .badRequest, context: context, wrap: wrapOutboundOut)
    }
}
