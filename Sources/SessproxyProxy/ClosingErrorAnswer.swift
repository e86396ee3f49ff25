import NIOCore
import NIOHTTP1
import SessproxyCore

/// A Klarna-shaped error answer written straight to the HTTP/1 response encoder, after which the
/// connection closes: for requests refused before Hummingbird sees them (an open-proxy target, a
/// request that does not parse), which leave the connection in no state to serve another.
enum ClosingErrorAnswer {
    static func write(
        _ error: KlarnaErrorBody, status: HTTPResponseStatus, context: ChannelHandlerContext,
        wrap: (HTTPServerResponsePart) -> NIOAny
    ) {
        let body = error.bytes
        let fields = error.answerHeaders([HeaderField(name: "Content-Length", value: String(body.count)), HeaderField(name: "Connection", value: "close")])
        let headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
        context.write(wrap(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrap(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        // The completion runs on the channel's own loop; the bound context says so to the compiler.
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrap(.end(nil))).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }
}
