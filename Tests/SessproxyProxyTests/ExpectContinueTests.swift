import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOEmbedded
import NIOHTTP1
@testable import SessproxyProxy
import SessproxyCore
import SessproxyTesting
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `Expect: 100-continue` is met by sessproxy itself: the client gets its 100 at once instead of
/// waiting out its own timer, the upstream never sees the expectation, and a declared body over
/// the limit is refused without one.
@Suite(.serialized) struct ExpectContinueTests {
    typealias Support = ProxyTestSupport

    @Test func aClientThatAsksGetsItsHundredAndTheUpstreamNeverSeesTheExpectation() async throws {
        let seen = Mutex<[String]>([])
        try await Support.withUpstream({ request in
            seen.withLock { $0.append(request.headers[values: .expect].joined()) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"session_id":"s-1","client_token":"t"}"#)))
        }) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, stack in
                let body = Support.createBody
                let head = "POST /payments/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\nExpect: 100-Continue\r\n\r\n"
                let exchange = await Self.expectingContinue(port: port, head: head, body: body)
                #expect(exchange.interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "before the body: \(exchange.interim)")
                #expect(exchange.final.hasPrefix("HTTP/1.1 200"), "after the body: \(exchange.final)")
                #expect(seen.withLock { $0 } == [""])
                #expect(stack.writer.recordedCount == 1)
            }
        }
    }

    @Test func aDeclaredBodyOverTheLimitIsRefusedWithoutAHundred() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", bodyLimit: 1024) { port, stack in
                let head = "POST /payments/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
                let exchange = await Self.expectingContinue(port: port, head: head, body: nil)
                #expect(exchange.interim.hasPrefix("HTTP/1.1 413"), "instead of a 100: \(exchange.interim)")
                #expect(stack.upstream.forwardedCount == 0)
            }
        }
    }

    @Test func anHTTP10ClientGetsNoHundred() {
        var head = HTTPRequestHead(version: .http1_0, method: .POST, uri: "/payments/v1/sessions")
        head.headers.add(name: "Expect", value: "100-continue")
        #expect(!ExpectContinueHandler.expectsContinue(head))
        head.version = .http1_1
        #expect(ExpectContinueHandler.expectsContinue(head))
        head.headers.replaceOrAdd(name: "expect", value: "something-else")
        #expect(!ExpectContinueHandler.expectsContinue(head))
    }

    @Test func aPipelinedRequestGetsItsHundredOnlyAfterTheAnswerBeforeIt() throws {
        let channel = EmbeddedChannel(handler: ExpectContinueHandler(bodyLimit: 1024))
        var first = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/payments/v1/sessions/a")
        first.headers.add(name: "Host", value: "x")
        var second = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/payments/v1/sessions/a")
        second.headers.add(name: "Content-Length", value: "2")
        second.headers.add(name: "Expect", value: "100-continue")
        try channel.writeInbound(HTTPServerRequestPart.head(first))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        try channel.writeInbound(HTTPServerRequestPart.head(second))
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
        // The expectation is not passed on.
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        _ = try channel.readInbound(as: HTTPServerRequestPart.self)
        guard case .head(let forwarded) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("no head passed on")
            return
        }
        #expect(forwarded.headers["Expect"].isEmpty && forwarded.headers["Content-Length"] == ["2"])

        try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        guard case .head(let answer) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no answer"); return }
        #expect(answer.status == .ok)
        guard case .end = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no end"); return }
        guard case .head(let interim) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { Issue.record("no 100"); return }
        #expect(interim.status == .continue)
        _ = try channel.finish()
    }

    /// Sends `head`, reads what comes back within a second (the 100, or a final answer), then
    /// sends `body` (when given) and reads the final answer. On a thread of its own: blocking
    /// socket calls must stay off Swift's cooperative pool, which the server under test needs.
    static func expectingContinue(port: Int, head: String, body: String?) async -> (interim: String, final: String) {
        await withCheckedContinuation { continuation in
            Thread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var timeout = timeval(tv_sec: 1, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                guard LoopbackSocket.connect(fd, port: port) else { return continuation.resume(returning: ("", "")) }
                func send(_ text: String) {
                    let bytes = Array(text.utf8)
                    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
                }
                func receive() -> String {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    let count = recv(fd, &buffer, buffer.count, 0)
                    return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
                }
                send(head)
                let interim = receive()
                guard let body else { return continuation.resume(returning: (interim, "")) }
                send(body)
                timeout.tv_sec = 5
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                continuation.resume(returning: (interim, receive()))
            }.start()
        }
    }
}
