import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import SessproxyProxy
import SessproxyCore
import Testing

/// Every connection the server accepts is set up by `SessproxyServer.connectionChannel`; here it
/// is set up on an in-memory channel and fed raw HTTP/1 bytes.
struct ConnectionChannelTests {
    @Test func sessproxysOwnHandlersAreInstalledAndTheInstallerIsGone() throws {
        let channel = try Self.connection()
        let pipeline = channel.pipeline.syncOperations
        _ = try pipeline.handler(type: RequestGuard.self)
        _ = try pipeline.handler(type: ExpectContinueHandler.self)
        #expect(throws: (any Error).self) { try pipeline.handler(type: HTTP1HandlerInstaller.self) }
        _ = try? channel.finish()
    }

    /// The guard sits behind the HTTP/1 decoder, before Hummingbird's conversion: it answers an
    /// absolute-form request itself, through the response encoder, and closes the connection.
    @Test func anAbsoluteFormRequestIsRefusedByTheGuardOnTheWire() throws {
        let channel = try Self.connection()
        try channel.writeInbound(ByteBuffer(string: "GET http://other.example/x HTTP/1.1\r\nHost: other.example\r\n\r\n"))
        var answer = ""
        while let part = try channel.readOutbound(as: ByteBuffer.self) { answer += String(buffer: part) }
        #expect(answer.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(answer.contains(SessproxyErrorCode.notAProxy))
        #expect(!channel.isActive)
    }

    /// An HTTP/1.0 request without keep-alive is passed on as `Connection: close`, which is what
    /// makes the server close the connection after the answer; one with keep-alive is not.
    @Test func anHTTP10RequestWithoutKeepAliveClosesAfterItsAnswer() throws {
        let channel = EmbeddedChannel(handler: RequestGuard())
        var plain = HTTPRequestHead(version: .http1_0, method: .GET, uri: "/__sessproxy/health")
        plain.headers.add(name: "Connection", value: "X-Hop")
        plain.headers.add(name: "X-Hop", value: "hop-only")
        try channel.writeInbound(HTTPServerRequestPart.head(plain))
        guard case .head(let head) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the head did not go on")
            return
        }
        // What its `Connection` named is hop-by-hop, and goes with it.
        #expect(head.headers["connection"] == ["close"] && head.headers["x-hop"].isEmpty)
        var keptAlive = HTTPRequestHead(version: .http1_0, method: .GET, uri: "/__sessproxy/health")
        keptAlive.headers.add(name: "Connection", value: "keep-alive")
        try channel.writeInbound(HTTPServerRequestPart.head(keptAlive))
        guard case .head(let second) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the second head did not go on")
            return
        }
        #expect(second.headers["connection"] == ["keep-alive"])
        _ = try? channel.finish()
    }

    private static func connection() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let child = SessproxyServer.connectionChannel(responder: { _, _, _ in }, bodyLimit: 1024)
        _ = try child.setup(channel: channel, logger: Logger(label: "test")).wait()
        return channel
    }
}
