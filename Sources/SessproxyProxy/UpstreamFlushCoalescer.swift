import NIOCore
import NIOHTTP1

/// Puts a forwarded request on the wire in one write. AsyncHTTPClient flushes the request head
/// on its own and then writes and flushes the body in the same event-loop turn: two system calls
/// and two TCP segments per request, where one would do. This handler, between the client's
/// request handler and the HTTP/1 encoder, turns the flushes of one turn into a single flush at
/// its end. Nothing waits on a timer: the deferred flush runs as soon as the current work on the
/// connection's event loop returns.
final class UpstreamFlushCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = NIOAny

    private var flushScheduled = false

    func flush(context: ChannelHandlerContext) {
        guard !flushScheduled else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            context.flush()
        }
    }

    /// Installs the handler on a new HTTP/1 upstream connection, right in front of its encoder.
    static func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let encoder = try pipeline.handler(type: HTTPRequestEncoder.self)
            try pipeline.addHandler(UpstreamFlushCoalescer(), position: .after(encoder))
        }
    }
}
