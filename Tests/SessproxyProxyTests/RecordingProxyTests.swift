import CompressNIO
import Foundation
import Hummingbird
import NIOCore
import NIOSSL
import SessproxyCore
import SessproxyStore
import SessproxyProxy
import SessproxyTesting
import Synchronization
import Testing
import SessproxyServing

@Suite(.serialized) struct RecordingProxyTests {
    typealias Support = ProxyTestSupport

    @Test func recordsAKlarnaFlowRedactedWithGzipPassedThrough() async throws {
        let cassette = Support.temporaryCassette()
        try await Support.withFakeKlarna(.init(gzip: true)) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", cassette: cassette) { port, _ in
                let base = "http://127.0.0.1:\(port)/payments/v1/sessions"
                let create = try await Support.send("POST", base, body: Support.createBody, headers: [("Accept-Encoding", "gzip")])
                #expect(create.status == 200)
                #expect(create.headers["Content-Encoding"].first == "gzip")
                var gzipped = ByteBuffer(bytes: create.body)
                let plain = try gzipped.decompress(with: .gzip())
                let session = try #require(try JSONParser.parse(Array(plain.readableBytesView))["session_id"]?.stringValue)

                let update = try await Support.send("POST", "\(base)/\(session)", body: #"{"locale":"en-GB"}"#)
                #expect(update.status == 204 && update.body.isEmpty)
                let read = try await Support.send("GET", "\(base)/\(session)")
                #expect(read.status == 200 && read.json?["status"] == "incomplete")
                let missing = try await Support.send("GET", "\(base)/no-such-session")
                #expect(missing.status == 404 && missing.json?["error_code"] == "NOT_FOUND")
            }
        }
        let stored = try Cassette.open(path: cassette).allExchanges()
        #expect(stored.map(\.operation) == [.create, .update, .read, .read])
        #expect(stored.map(\.status) == [200, 204, 200, 404])
        let create = stored[0]
        #expect(create.responseEncoding == "gzip")
        #expect(create.responseJSON?["session_id"]?.stringValue == create.sessionID)
        #expect(create.responseJSON?["client_token"]?.stringValue?.hasPrefix("redacted:") == true)
        #expect(stored[1].sessionID == create.sessionID)
        let files = try FileManager.default.contentsOfDirectory(atPath: (cassette as NSString).deletingLastPathComponent)
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: (cassette as NSString).deletingLastPathComponent + "/" + file))
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains("jane.canary"), "PII canary found in \(file)")
            #expect(!text.contains(String(Support.basic.dropFirst(6))), "credential found in \(file)")
        }
    }

    @Test func chunkedUpstreamAnswersArriveWhole() async throws {
        try await Support.withFakeKlarna(.init(chunked: true)) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, stack in
                let create = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(create.status == 200)
                #expect(create.json?["session_id"] != nil)
                #expect(create.headers["Content-Length"].first == String(create.body.count))
                #expect(create.headers["Transfer-Encoding"].isEmpty)
                #expect(stack.writer.recordedCount == 1)
            }
        }
    }

    @Test func unreachableUpstreamIsAKlarnaShaped502AndRecorded() async throws {
        let cassette = Support.temporaryCassette()
        let closed = LoopbackSocket.unusedPort()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(closed)", cassette: cassette) { port, _ in
            let reply = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: "{}")
            #expect(reply.status == 502)
            #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.upstreamUnreachable))
            #expect(reply.json?["correlation_id"]?.stringValue?.isEmpty == false)
            // In the system's words, not the connection library's type names.
            let message = reply.json?["error_messages"]?.arrayValue?.first?.stringValue ?? ""
            #expect(message == "cannot connect to upstream http://127.0.0.1:\(closed): Connection refused (127.0.0.1 port \(closed))", "\(message)")
            let health = try await Support.send("GET", "http://127.0.0.1:\(port)/__sessproxy/health")
            #expect(health.status == 200 && health.json?["exchanges_recorded"] == 1)
        }
        let stored = try Cassette.open(path: cassette).allExchanges()
        #expect(stored.count == 1 && stored[0].status == 502 && stored[0].proxyError == SessproxyErrorCode.upstreamUnreachable)
    }

    /// An upstream name that does not resolve says so in the app's error, in plain words.
    @Test func anUpstreamNameThatDoesNotResolveIsSaidSo() async throws {
        try await Support.withRecorder(upstream: "http://no-such-upstream.invalid") { port, _ in
            let reply = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: "{}")
            #expect(reply.status == 502)
            #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.upstreamUnreachable))
            let message = reply.json?["error_messages"]?.arrayValue?.first?.stringValue ?? ""
            #expect(message.contains("cannot resolve no-such-upstream.invalid ("), "\(message)")
            #expect(!message.contains("SocketAddressError"), "\(message)")
        }
    }

    /// What sessproxy will not send is a 4xx of its own, not "cannot connect": the upstream is
    /// up and nothing was tried.
    @Test func aTraceWithABodyIsRefusedNotBlamedOnTheUpstream() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, stack in
                // Sent raw: HTTP client libraries refuse to write such a request at all.
                let reply = await Support.raw(
                    port: port, "TRACE /payments/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                #expect(reply.hasPrefix("HTTP/1.1 400"), "\(reply)")
                #expect(reply.contains(SessproxyErrorCode.requestRefused))
                #expect(stack.upstream.forwardedCount == 0, "nothing went to the upstream")
            }
        }
    }

    /// A recorder whose upstream is its own listen address (two ports mixed up, or a proxy that
    /// forwards back): the request that comes back is answered 508 at once, so one request makes
    /// one exchange, not an endless stream of them.
    @Test func aRequestForwardedBackToItsRecorderIsAnsweredNotForwardedAgain() async throws {
        let port = LoopbackSocket.unusedPort()
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(port)", cassette: cassette, listenPort: port) { port, stack in
            let reply = try await Support.send("GET", "http://127.0.0.1:\(port)/payments/v1/sessions/s-1")
            #expect(reply.status == 508)
            #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.forwardingLoop))
            try await Task.sleep(for: .milliseconds(300))
            #expect(stack.upstream.forwardedCount == 1, "forwarded once, then answered")
        }
        let stored = try Cassette.open(path: cassette).allExchanges()
        #expect(stored.map(\.status) == [508])
        #expect(stored.first?.proxyError == SessproxyErrorCode.forwardingLoop, "sessproxy's own answer, not one from Klarna")
        #expect(!stored[0].requestHeaders.contains { $0.name.lowercased() == "via" }, "the recorded request is the app's, without sessproxy's own Via")
    }

    /// Two stacks in one process, one in front of the other, are not a loop: each has its own mark.
    @Test func aRecorderInFrontOfAnotherInTheSameProcessIsNotALoop() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { innerPort, _ in
                try await Support.withRecorder(upstream: "http://127.0.0.1:\(innerPort)") { outerPort, _ in
                    let reply = try await Support.send("POST", "http://127.0.0.1:\(outerPort)/payments/v1/sessions", body: Support.createBody)
                    #expect(reply.status == 200)
                    #expect(reply.json?["session_id"]?.stringValue != nil)
                }
            }
        }
    }

    @Test func slowUpstreamTimesOutWith504() async throws {
        try await Support.withUpstream({ _ in
            try await Task.sleep(for: .seconds(3))
            return Response(status: .ok)
        }) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", timeout: .milliseconds(300)) { port, _ in
                let started = ContinuousClock.now
                let reply = try await Support.send("GET", "http://127.0.0.1:\(port)/payments/v1/sessions/s-1")
                #expect(reply.status == 504)
                #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.upstreamTimeout))
                #expect(ContinuousClock.now - started < .seconds(2))
            }
        }
    }

    @Test func oversizedBodiesGet413AndTheProxyKeepsServing() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", bodyLimit: 4096) { port, stack in
                let big = #"{"merchant_data":""# + String(repeating: "x", count: 10_000) + #""}"#
                let reply = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: big)
                #expect(reply.status == 413)
                #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.bodyTooLarge))
                let next = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(next.status == 200)
                #expect(stack.upstream.forwardedCount == 1)
            }
        }
    }

    @Test func refusesToBeAnOpenProxy() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, stack in
                let absolute = await Support.raw(port: port, "GET http://example.com/secret HTTP/1.1\r\nHost: example.com\r\n\r\n")
                #expect(absolute.hasPrefix("HTTP/1.1 400"))
                #expect(absolute.contains(SessproxyErrorCode.notAProxy))
                let connect = await Support.raw(port: port, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
                #expect(connect.hasPrefix("HTTP/1.1 405"))
                let internalPath = try await Support.send("GET", "http://127.0.0.1:\(port)/__sessproxy/anything")
                #expect(internalPath.status == 404)
                #expect(stack.upstream.forwardedCount == 0)
            }
        }
    }

    @Test func httpsUpstreamIsVerifiedAgainstTheExtraCA() async throws {
        let certificate = try NIOSSLCertificate.fromPEMFile(Support.fixture("server.pem"))
        let key = try NIOSSLPrivateKey(file: Support.fixture("server-key.pem"), format: .pem)
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: certificate.map { .certificate($0) }, privateKey: .privateKey(key))
        try await Support.withFakeKlarna(.init(tls: tls)) { upstreamPort in
            try await Support.withRecorder(upstream: "https://localhost:\(upstreamPort)", ca: Support.fixture("test-ca.pem")) { port, _ in
                let reply = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(reply.status == 200)
            }
            try await Support.withRecorder(upstream: "https://localhost:\(upstreamPort)") { port, _ in
                let reply = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(reply.status == 502)
                #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.upstreamTLS))
                // In words, with what to mend; no library dump, no source path.
                let message = reply.json?["error_messages"]?[0]?.stringValue ?? ""
                #expect(message.contains("failed: certificate verify failed (") && message.contains("--upstream-ca"), "\(message)")
                #expect(!message.contains("BoringSSL") && !message.contains(".cc"), "\(message)")
            }
        }
    }

    /// A recorder that keeps what it was handed and then fails, like a full disk.
    final class FailingRecorder: ExchangeRecorder {
        let received = Mutex<[RecordedExchange]>([])

        func record(_ exchange: RecordedExchange) async -> RecordOutcome {
            received.withLock { $0.append(exchange) }
            return .failed(reason: "disk full")
        }

        var backlog: RecorderBacklog {
            RecorderBacklog(recorded: 0, pending: 0, failed: received.withLock { $0.count })
        }
    }

    /// A commit that fails must not cost the app its answer: it gets Klarna's answer marked
    /// `Sessproxy-Recording: failed`, health counts the failure, and what reached the recorder
    /// was already redacted.
    @Test func aFailedCommitStillAnswersAndIsCounted() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            let recorder = FailingRecorder()
            let upstream = try UpstreamClient(configuration: .init(endpoint: try UpstreamEndpoint(parsing: "http://127.0.0.1:\(upstreamPort)")))
            let metrics = ProxyMetrics()
            let handler = RecordingHandler(
                upstream: upstream, recorder: recorder,
                redactor: Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Support.key)), metrics: metrics,
                bodyLimit: ProxyConfiguration.defaultBodyLimit, logger: Support.logger)
            let port = ListeningPort()
            let server = SessproxyServer.make(
                configuration: .init(listen: .init(host: "127.0.0.1", port: 0), cassettePath: "unwritable.sqlite"), handler: handler,
                metrics: metrics, logger: Support.logger, onListening: port.callback)
            try await ServiceHarness.run([upstream, server], logger: Support.logger) {
                let base = "http://127.0.0.1:\(await port.wait())"
                let create = try await Support.send("POST", "\(base)/payments/v1/sessions", body: Support.createBody)
                #expect(create.status == 200)
                #expect(create.json?["session_id"]?.stringValue != nil)
                #expect(create.headers["Sessproxy-Recording"].first == "failed")
                #expect(create.headers["Sessproxy-Exchange-Id"].isEmpty)
                let health = try await Support.send("GET", "\(base)/__sessproxy/health")
                #expect(health.json?["recording_failures"] == 1)
                #expect(health.json?["exchanges_recorded"] == 0)
            }
            let handed = recorder.received.withLock { $0 }
            #expect(handed.count == 1)
            let stored = String(decoding: handed.flatMap { $0.requestBody + $0.responseBody }, as: UTF8.self)
            #expect(!stored.contains("jane.canary") && stored.contains("redacted:"))
        }
    }

    @Test func metricsAreExposedInPrometheusFormat() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, _ in
                _ = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                let metrics = try await Support.send("GET", "http://127.0.0.1:\(port)/__sessproxy/metrics")
                let text = String(decoding: metrics.body, as: UTF8.self)
                #expect(text.contains(#"sessproxy_requests_total{operation="create",status="200"} 1"#))
                #expect(text.contains("sessproxy_exchanges_recorded_total 1"))
                #expect(text.contains("sessproxy_upstream_duration_seconds_bucket"))
                #expect(text.contains("sessproxy_redactions_total"))
            }
        }
    }
}

/// Another process holds the cassette's write lock (someone ran `sqlite3` and opened a
/// transaction) for longer than SQLite's busy timeout while the app keeps calling.
@Suite(.serialized) struct LockedCassetteTests {
    typealias Support = ProxyTestSupport

    @Test func healthKeepsAnsweringAndNoAnsweredExchangeIsLost() async throws {
        let cassette = Support.temporaryCassette()
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", cassette: cassette) { port, _ in
                let base = "http://127.0.0.1:\(port)"
                _ = try await Support.send("POST", "\(base)/payments/v1/sessions", body: Support.createBody)
                let holder = Process()
                holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
                holder.arguments = [cassette, "BEGIN IMMEDIATE;", ".shell sleep 7", "COMMIT;"]
                try holder.run()
                try await Task.sleep(for: .milliseconds(300))
                let calls = Task {
                    try await withThrowingTaskGroup(of: String?.self, returning: [String?].self) { group in
                        for _ in 0..<3 {
                            group.addTask {
                                try await Support.send("POST", "\(base)/payments/v1/sessions", body: Support.createBody)
                                    .headers["Sessproxy-Recording"].first
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                }
                var took: [Duration] = []
                var sawPending = false
                for _ in 0..<20 {
                    let start = ContinuousClock.now
                    let health = try await Support.send("GET", "\(base)/__sessproxy/health")
                    took.append(ContinuousClock.now - start)
                    #expect(health.status == 200)
                    if health.json?["recording_pending"] == 3 { sawPending = true }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let marks = try await calls.value
                #expect(marks == ["pending", "pending", "pending"], "answered without waiting out the lock")
                #expect(sawPending)
                // Typically within 50 ms; and none waits for the cassette, which would take the
                // writer's lock wait, 5 s (a loaded machine can delay any one request by a few
                // hundred milliseconds).
                took.sort()
                #expect(took[took.count / 2] < .milliseconds(50), "health's median was \(took[took.count / 2]) while the cassette was locked")
                #expect(took.last! < .seconds(1), "health took \(took.last!) while the cassette was locked")
                // Polled: waiting for the process would hold one of the few threads every test shares.
                while holder.isRunning { try await Task.sleep(for: .milliseconds(50)) }
                for _ in 0..<100 where try await Support.send("GET", "\(base)/__sessproxy/health").json?["recording_pending"] != 0 {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let health = try await Support.send("GET", "\(base)/__sessproxy/health")
                #expect(health.json?["recording_pending"] == 0 && health.json?["recording_failures"] == 0)
                #expect(health.json?["exchanges_recorded"] == 4)
            }
        }
        #expect(try Cassette.open(path: cassette).count() == 4)
    }
}
