import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import SessproxyProxy
import Testing

/// The upstream connection's flushes within one event-loop turn reach the socket as one.
@Suite struct UpstreamFlushCoalescerTests {
    /// Counts the flushes that get past the coalescer, toward the socket.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var flushes = 0

        func flush(context: ChannelHandlerContext) {
            flushes += 1
            context.flush()
        }
    }

    @Test func flushesOfOneTurnBecomeOneAfterIt() throws {
        let counter = FlushCounter()
        let channel = EmbeddedChannel(handlers: [counter, UpstreamFlushCoalescer()])
        channel.writeAndFlush(ByteBuffer(string: "POST /payments/v1/sessions HTTP/1.1\r\n\r\n"), promise: nil)
        channel.writeAndFlush(ByteBuffer(string: #"{"order_amount":100}"#), promise: nil)
        #expect(counter.flushes == 0)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)

        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "POST /payments/v1/sessions HTTP/1.1\r\n\r\n"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: #"{"order_amount":100}"#))

        // The next turn's flush goes out on its own again.
        channel.writeAndFlush(ByteBuffer(string: "next"), promise: nil)
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 2)
        #expect(try channel.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "next"))
        #expect(try channel.finish().isClean)
    }

    /// Installed on an upstream connection (next to its HTTP/1 encoder), a request written as
    /// head, body and end with two flushes reaches the socket whole, in one flush.
    @Test func installsNextToTheEncoder() throws {
        let channel = EmbeddedChannel()
        let counter = FlushCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(HTTPRequestEncoder())
        let installed = UpstreamFlushCoalescer.install(on: channel)
        channel.embeddedEventLoop.run()
        try installed.wait()
        _ = try channel.pipeline.syncOperations.handler(type: UpstreamFlushCoalescer.self)

        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/payments/v1/sessions")
        head.headers.add(name: "Content-Length", value: "2")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.flush()
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(string: "{}"))), promise: nil)
        channel.write(HTTPClientRequestPart.end(nil), promise: nil)
        channel.flush()
        channel.embeddedEventLoop.run()
        #expect(counter.flushes == 1)

        var sent = ByteBuffer()
        while var part = try channel.readOutbound(as: ByteBuffer.self) { sent.writeBuffer(&part) }
        #expect(String(buffer: sent) == "POST /payments/v1/sessions HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}")
        #expect(try channel.finish().isClean)
    }
}
