import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import SessproxyCore
import SessproxyServing
import SessproxyStore

/// The inspector on a real recording listener: health stays open, the API wants the token, and
/// an exchange recorded while a page listens arrives on its event stream; an open stream does
/// not hold up graceful shutdown.
@Suite struct InspectorServingTests {
    @Test func aRecordedExchangeArrivesOnTheLiveFeed() async throws {
        try await ProxyTestSupport.withFakeKlarna { klarna in
            try await ProxyTestSupport.withRecorder(upstream: "http://127.0.0.1:\(klarna)") { port, stack in
                let base = "http://127.0.0.1:\(port)"
                let token = stack.inspector.token
                #expect(try await ProxyTestSupport.send("GET", "\(base)/__sessproxy/health").status == 200)
                let refused = try await ProxyTestSupport.send("GET", "\(base)/__sessproxy/api/exchanges")
                #expect(refused.status == 401 && !String(decoding: refused.body, as: UTF8.self).contains("sessions"))

                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                var request = HTTPClientRequest(url: "\(base)/__sessproxy/api/events")
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                let events = try await client.execute(request, timeout: .seconds(10))
                #expect(events.headers.first(name: "Content-Type") == "text/event-stream")
                var iterator = events.body.makeAsyncIterator()
                _ = try await iterator.next()  // "retry … connected": the feed is subscribed

                let created = try await ProxyTestSupport.send("POST", "\(base)/payments/v1/sessions", body: ProxyTestSupport.createBody)
                #expect(created.status == 200)
                let id = created.headers.first(name: "Sessproxy-Exchange-Id") ?? "?"
                var received = ""
                let deadline = ContinuousClock.now + .seconds(5)
                while !received.contains("\n\n"), ContinuousClock.now < deadline, let chunk = try await iterator.next() {
                    received += String(buffer: chunk)
                }
                #expect(received.hasPrefix("event: exchange\nid: \(id)\n"))
                #expect(received.contains("\"operation\":\"create\""))

                let listed = try await ProxyTestSupport.send(
                    "GET", "\(base)/__sessproxy/api/exchanges", headers: [("Authorization", "Bearer \(token)")])
                #expect(listed.json?["exchanges"]?.arrayValue?.count == 1)
                try await client.shutdown()
            }
        }
    }
}
