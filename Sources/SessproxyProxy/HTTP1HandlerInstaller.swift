import NIOCore
import NIOHTTP1

/// Installs sessproxy's own HTTP/1 handlers right behind the request decoder, where they see
/// NIO's HTTP/1 parts and its errors: `RequestGuard`, then `ExpectContinueHandler`. Hummingbird only lets
/// additional handlers go after its HTTP types conversion, so this one moves them to the right
/// place when it is added and then removes itself.
final class HTTP1HandlerInstaller: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Never

    private let bodyLimit: Int

    init(bodyLimit: Int) {
        self.bodyLimit = bodyLimit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let pipeline = context.pipeline.syncOperations
        if let decoder = try? pipeline.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self) {
            let guardHandler = RequestGuard()
            try? pipeline.addHandler(guardHandler, position: .after(decoder.handler))
            try? pipeline.addHandler(ExpectContinueHandler(bodyLimit: bodyLimit), position: .after(guardHandler))
        }
        pipeline.removeHandler(context: context, promise: nil)
    }
}
