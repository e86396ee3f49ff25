import NIOCore
import NIOEmbedded
import NIOHTTP1
import SessproxyCore
import SessproxyStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SessproxyProxy

/// One upstream connection's handler on an `EmbeddedChannel`, its one timer driven by the embedded
/// loop's clock: a request past its deadline fails and ends the connection, and a connection left
/// idle for the idle timeout closes, whether it ever carried a request or not.
@Suite struct UpstreamConnectionHandlerTimerTests {
    final class Events: @unchecked Sendable {
        var reusable = 0
        var closed = 0
    }

    static func connected(idleTimeout: TimeAmount) throws -> (EmbeddedChannel, UpstreamConnectionHandler, Events) {
        let events = Events()
        let handler = UpstreamConnectionHandler(
            idleTimeout: idleTimeout, becameReusable: { _ in events.reusable += 1 }, closed: { _ in events.closed += 1 })
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler, events)
    }

    static let request = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/payments/v1/sessions")

    @Test func aConnectionNeverUsedClosesAfterTheIdleTimeout() throws {
        let (channel, _, events) = try Self.connected(idleTimeout: .seconds(60))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(events.closed == 1)
    }

    @Test func aConnectionClosesOnceIdleForTheIdleTimeoutAfterItsLastAnswer() throws {
        let (channel, handler, events) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(50))
        let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: answer)
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(try answer.futureResult.wait().head.status == .ok)
        #expect(events.reusable == 1)
        // Past the first idle time (60 s from opening) and the request's deadline, 59 s after the answer.
        loop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aRequestPastItsDeadlineFailsAndEndsTheConnection() throws {
        let (channel, handler, _) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(5), promise: answer)
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(throws: UpstreamConnectionError.deadlineExceeded) { try answer.futureResult.wait() }
        #expect(!channel.isActive)
    }

    @Test func requestsBackToBackKeepTheirOwnDeadlines() throws {
        let (channel, handler, _) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        for _ in 0..<3 {
            let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
            handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: answer)
            loop.advanceTime(by: .seconds(20))
            try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
            try channel.writeInbound(HTTPClientResponsePart.end(nil))
            #expect(try answer.futureResult.wait().head.status == .ok)
        }
        // Each time, the timer was still set for an earlier request's deadline: it fired, found
        // nothing due and moved on. The fourth request still fails at its own deadline, not before.
        let last = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: last)
        loop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(throws: UpstreamConnectionError.deadlineExceeded) { try last.futureResult.wait() }
    }
}
