import NIOCore
import NIOHTTP1

/// Refuses to act as an open proxy. HTTP/1 absolute-form targets (`GET http://other.host/`)
/// and CONNECT are rewritten to an internal path before Hummingbird's type conversion (which
/// would otherwise silently turn `http://other.host/x` into `/x`), so the responder can answer
/// them with a 4xx instead of forwarding.
final class RequestTargetGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    static let refusedPath = "/__sessproxy/refused"

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part {
            if head.method == .CONNECT {
                head.uri = Self.refusedPath + "?reason=connect"
                head.method = .GET
                part = .head(head)
            } else if !head.uri.hasPrefix("/") && head.uri != "*" {
                head.uri = Self.refusedPath + "?reason=absolute-form"
                part = .head(head)
            }
        }
        context.fireChannelRead(wrapInboundOut(part))
    }
}

/// Installs `RequestTargetGuard` right behind the HTTP/1 request decoder. Hummingbird only
/// lets additional handlers go after its HTTP types conversion, so this one moves the guard to
/// the right place when it is added and then removes itself.
final class RequestTargetGuardInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        if let decoder = try? pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            try? pipeline.addHandler(RequestTargetGuard(), position: .after(decoder.handler))
        }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
