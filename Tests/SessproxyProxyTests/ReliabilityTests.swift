import Foundation
import SessproxyCore
import SessproxyStore
import SessproxyTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Upstream faults and hostile clients: every case gets a Klarna-shaped answer or a closed
/// connection, is recorded when it reached the upstream, and the proxy keeps serving.
@Suite(.serialized) struct ReliabilityTests {
    typealias Support = ProxyTestSupport

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"session_id\":", SessproxyErrorCode.upstreamReset),
        ("SSH-2.0-OpenSSH_9.2p1 Debian\r\n", SessproxyErrorCode.upstreamInvalid),
        ("", SessproxyErrorCode.upstreamReset),
    ])
    func brokenUpstreamAnswersBecome502(reply: String, code: String) async throws {
        let upstream = RawTCPServer(reply: Array(reply.utf8))
        defer { upstream.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", cassette: cassette) { port, _ in
            let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
            #expect(answer.status == 502)
            #expect(answer.json?["error_code"] == .string(code), "got \(String(decoding: answer.body, as: UTF8.self))")
            let health = try await Support.send("GET", "http://127.0.0.1:\(port)/__sessproxy/health")
            #expect(health.status == 200)
        }
        let stored = try Cassette.open(path: cassette).allExchanges()
        #expect(stored.count == 1 && stored.first?.status == 502 && stored.first?.proxyError == code)
    }

    /// An upstream answer over the body limit is not passed on half-read: the app gets a
    /// Klarna-shaped 502 naming the limit, and it is recorded.
    @Test func upstreamAnswerOverTheBodyLimitIsA502() async throws {
        let body = #"{"session_id":""# + String(repeating: "x", count: 20_000) + #""}"#
        let upstream = RawTCPServer(reply: Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        defer { upstream.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", cassette: cassette, bodyLimit: 8192) { port, _ in
            let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
            #expect(answer.status == 502)
            #expect(answer.json?["error_code"] == .string(SessproxyErrorCode.bodyTooLarge))
            #expect(String(decoding: answer.body, as: UTF8.self).contains("8192-byte"))
        }
        let stored = try Cassette.open(path: cassette).allExchanges()
        #expect(stored.count == 1 && stored.first?.status == 502 && stored.first?.proxyError == SessproxyErrorCode.bodyTooLarge)
    }

    @Test func htmlUnauthorizedIsPassedThroughAndRecorded() async throws {
        let cassette = Support.temporaryCassette()
        try await Support.withFakeKlarna(.init(behaviour: .init(credentials: (username: "K1", password: "right")))) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", cassette: cassette) { port, _ in
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(answer.status == 401)
                #expect(answer.headers["WWW-Authenticate"].first == "Basic realm=\"very closed site\"")
                #expect(String(decoding: answer.body, as: UTF8.self).contains("401 Authorization Required"))
            }
        }
        let stored = try #require(try Cassette.open(path: cassette).allExchanges().first)
        #expect(stored.status == 401 && stored.proxyError == nil && stored.responseJSON == nil)
    }

    /// 1,000+ malformed or hostile requests on raw sockets; afterwards health is still 200 and
    /// a normal request still works.
    @Test func survivesAThousandMalformedRequests() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", bodyLimit: 64 * 1024) { port, _ in
                let hugeHeader = "X-Filler: " + String(repeating: "a", count: 200_000)
                let cases: [String] = [
                    "GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n",
                    "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n",
                    "GET /payments/v1/sessions/x HTTP/1.1\r\nHost: a\r\n\(hugeHeader)\r\n\r\n",
                    "POST /payments/v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\n\r\n{",
                    "POST /payments/v1/sessions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                    "GET / HTTP/9.9\r\n\r\n",
                    "\r\n\r\n\r\n",
                    "GET /%%%%/../../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n",
                ]
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var local = SystemRandomNumberGenerator()
                            for index in 0..<260 {
                                let text: String
                                if index % 2 == 0 {
                                    text = cases[(index / 2 + worker) % cases.count]
                                } else {
                                    let bytes = (0..<Int.random(in: 1...512, using: &local)).map { _ in UInt8.random(in: 0...255, using: &local) }
                                    text = String(decoding: bytes, as: UTF8.self)
                                }
                                _ = await Support.raw(port: port, text, readTimeout: 1)
                            }
                        }
                    }
                }
                let health = try await Support.send("GET", "http://127.0.0.1:\(port)/__sessproxy/health")
                #expect(health.status == 200)
                let normal = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(normal.status == 200)
            }
        }
    }

    @Test func requestsThatDoNotParseGetAKlarnaShapedAnswer() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, _ in
                let hugeHeader = "X-Filler: " + String(repeating: "a", count: 200_000)
                let tooLarge = await Support.raw(port: port, "GET /payments/v1/sessions/x HTTP/1.1\r\nHost: a\r\n\(hugeHeader)\r\n\r\n")
                #expect(tooLarge.hasPrefix("HTTP/1.1 431"), "\(tooLarge.prefix(300))")
                #expect(tooLarge.contains("\"error_code\":\"SESSPROXY_MALFORMED_REQUEST\""), "\(tooLarge.prefix(300))")
                #expect(tooLarge.lowercased().contains("connection: close"))
                let badFraming = await Support.raw(
                    port: port, "POST /payments/v1/sessions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
                #expect(badFraming.hasPrefix("HTTP/1.1 400"), "\(badFraming.prefix(300))")
                #expect(badFraming.contains("\"error_code\":\"SESSPROXY_MALFORMED_REQUEST\""), "\(badFraming.prefix(300))")
                #expect(badFraming.contains("\"correlation_id\""))
            }
        }
    }
}
