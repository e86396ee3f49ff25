import NIOCore
import NIOHTTP1
import SessproxyCore

/// Refuses to act as an open proxy. HTTP/1 absolute-form targets (`GET http://other.host/`)
/// and CONNECT are answered here, before Hummingbird's type conversion (which would otherwise
/// silently turn `http://other.host/x` into `/x`), with a Klarna-shaped 400/405 and a closed
/// connection (`ClosingErrorAnswer`).
final class RequestTargetGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var refusing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if refusing { return }
        if case .head(let head) = part {
            if head.method == .CONNECT {
                refuse(context: context, status: .methodNotAllowed, reason: "CONNECT is not supported")
                return
            }
            if !head.uri.hasPrefix("/") && head.uri != "*" {
                refuse(context: context, status: .badRequest, reason: "absolute-form request targets are not supported")
                return
            }
        }
        context.fireChannelRead(data)
    }

    private func refuse(context: ChannelHandlerContext, status: HTTPResponseStatus, reason: String) {
        refusing = true
        let error = KlarnaErrorBody(
            errorCode: SessproxyErrorCode.notAProxy,
            errorMessages: ["sessproxy is a reverse proxy for one upstream, not an open proxy: \(reason)"])
        ClosingErrorAnswer.write(error, status: status, context: context, wrap: wrapOutboundOut)
    }
}
