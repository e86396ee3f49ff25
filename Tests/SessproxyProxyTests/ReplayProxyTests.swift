import Foundation
import Hummingbird
import NIOCore
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyTesting
import Synchronization
import Testing
import SessproxyServing

/// Replay through the real server, with the upstream gone, the way a user's test suite uses it
/// (through the SessproxyTesting library).
@Suite(.serialized) struct ReplayProxyTests {
    typealias Support = ProxyTestSupport

    /// Records the merchant flow `count` times (distinct sessions) and returns the cassette path.
    static func recordFlows(count: Int) async throws -> (cassette: String, steps: [[MerchantFlow.Step]]) {
        let cassette = Support.temporaryCassette()
        let steps = try await Support.withFakeKlarna { port in
            try await ReplayServer.withRecording(upstream: "http://127.0.0.1:\(port)", cassette: cassette, redactionKey: Support.key, logger: Support.logger) { base in
                var all: [[MerchantFlow.Step]] = []
                for _ in 0..<count { all.append(try await MerchantFlow().run(baseURL: base)) }
                return all
            }
        }
        return (cassette, steps)
    }

    @Test func replaysARecordedFlowOfflineTwiceIdentically() async throws {
        let (cassette, recorded) = try await Self.recordFlows(count: 1)
        let (first, second) = try await ReplayServer.withReplay(cassette: cassette, requireAllUsed: true, logger: Support.logger) { base in
            (try await MerchantFlow().run(baseURL: base), try await MerchantFlow().run(baseURL: base))
        }
        #expect(first.map(\.status) == recorded[0].map(\.status))
        #expect(first.map(\.body) == second.map(\.body))
        let before = try #require(try JSONParser.parse(first[1].body)["order_lines"]?[0]?["quantity"])
        let after = try #require(try JSONParser.parse(first[3].body)["order_lines"]?[0]?["quantity"])
        #expect(before == 2 && after == 3)
        let token = try #require(try JSONParser.parse(first[0].body)["client_token"]?.stringValue)
        #expect(token.split(separator: ".").count == 3 && !token.hasPrefix("redacted"))
    }

    @Test func aMissIsThrownWithTheDifferingField() async throws {
        let (cassette, recorded) = try await Self.recordFlows(count: 1)
        let session = try #require(try JSONParser.parse(recorded[0][0].body)["session_id"]?.stringValue)
        await #expect(throws: ReplayServer.Misses.self) {
            try await ReplayServer.withReplay(cassette: cassette, logger: Support.logger) { base in
                let reply = try await Support.send(
                    "POST", "\(base)/payments/v1/sessions/\(session)", body: MerchantFlow(updatedQuantity: 7).updateBody())
                #expect(reply.status == 404)
                #expect(reply.headers["Sessproxy-Miss"].first?.isEmpty == false)
                #expect(reply.json?["error_code"] == .string(SessproxyErrorCode.noMatch))
                let messages = reply.json?["error_messages"]?.arrayValue?.compactMap(\.stringValue).joined() ?? ""
                #expect(messages.contains("order_lines[ref=SKU-TR-4471-42].quantity: 3 → 7"))
                let health = try await Support.send("GET", "\(base)/__sessproxy/health")
                #expect(health.json?["misses"] == 1 && health.json?["upstream_connections"] == 0)
                let misses = try await Support.send("GET", "\(base)/__sessproxy/misses")
                #expect(misses.json?.arrayValue?.count == 1)
            }
        }
    }

    /// `--on-miss forward`: once a session's miss went to the upstream, the upstream holds its
    /// state, so its later requests go there too instead of recorded answers that predate it;
    /// a create answered with the session starts it over from the cassette.
    @Test func aSessionForwardedOnAMissStaysWithTheUpstream() async throws {
        let (cassette, recorded) = try await Self.recordFlows(count: 1)
        let session = try #require(try JSONParser.parse(recorded[0][0].body)["session_id"]?.stringValue)
        let forwarded = Counter()
        try await Support.withUpstream({ request in
            forwarded.add(request.uri.path)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"from-upstream"}"#)))
        }) { upstreamPort in
            let stack = try ReplayStack(
                cassette: try Cassette.open(path: cassette, readingOnly: true),
                proxy: ProxyConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), cassettePath: cassette),
                forwardMissesTo: UpstreamConfiguration(endpoint: try UpstreamEndpoint(parsing: "http://127.0.0.1:\(upstreamPort)")),
                logger: Support.logger)
            try await ServiceHarness.run(stack.services, logger: Support.logger) {
                let base = "http://127.0.0.1:\(await stack.port.wait())"
                let read = "\(base)/payments/v1/sessions/\(session)"
                #expect(try await Support.send("POST", "\(base)/payments/v1/sessions", body: MerchantFlow.createBody).status == 200)
                #expect(try await Support.send("GET", read).headers["Sessproxy-Forwarded"].isEmpty, "before any miss, a read is replayed")
                let update = try await Support.send("POST", read, body: MerchantFlow(updatedQuantity: 7).updateBody())
                #expect(update.headers["Sessproxy-Forwarded"] == ["miss"] && forwarded.count == 1)
                let after = try await Support.send("GET", read)
                #expect(after.headers["Sessproxy-Forwarded"] == ["miss"] && after.json?["status"] == "from-upstream", "a read after the forwarded update")
                #expect(forwarded.count == 2)
                #expect(try await Support.send("POST", "\(base)/payments/v1/sessions", body: MerchantFlow.createBody).status == 200)
                #expect(try await Support.send("GET", read).headers["Sessproxy-Forwarded"].isEmpty, "a new create starts the session over")
                #expect(forwarded.count == 2)
            }
            let reasons = stack.handler.outcome.misses.map(\.logLine)
            #expect(reasons.count == 2 && reasons[1].contains("forwarded since an earlier miss"), "\(reasons)")
        }
    }

    final class Counter: Sendable {
        private let paths = Mutex<[String]>([])
        func add(_ path: String) { paths.withLock { $0.append(path) } }
        var count: Int { paths.withLock { $0.count } }
    }

    @Test func parallelClientsOnDifferentSessionsDoNotDisturbEachOther() async throws {
        let flows = 12
        let (cassette, recorded) = try await Self.recordFlows(count: flows)
        let sessions = Set(recorded.compactMap { try? JSONParser.parse($0[0].body)["session_id"]?.stringValue })
        #expect(sessions.count == flows)
        let replayed = try await ReplayServer.withReplay(cassette: cassette, logger: Support.logger) { base in
            try await withThrowingTaskGroup(of: [MerchantFlow.Step].self) { group in
                for _ in 0..<flows { group.addTask { try await MerchantFlow().run(baseURL: base) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(replayed.count == flows)
        for steps in replayed {
            #expect(steps.map(\.status) == [200, 200, 204, 200, 400])
            let before = try JSONParser.parse(steps[1].body)["order_lines"]?[0]?["quantity"]
            let after = try JSONParser.parse(steps[3].body)["order_lines"]?[0]?["quantity"]
            #expect(before == 2 && after == 3)
        }
        let answeredSessions = Set(replayed.compactMap { try? JSONParser.parse($0[0].body)["session_id"]?.stringValue })
        #expect(answeredSessions == sessions)
    }
}

/// A cassette written by format 1 (checked in as a fixture) opens, migrates forward and replays.
@Suite struct CassetteFormatMigrationTests {
    @Test func version1FixtureMigratesAndReplays() async throws {
        let copy = ProxyTestSupport.temporaryCassette()
        try FileManager.default.copyItem(atPath: ProxyTestSupport.fixture("checkout-v1.sqlite"), toPath: copy)
        let cassette = try Cassette.open(path: copy)
        #expect(try cassette.storedFormatVersion() == Cassette.formatVersion)
        let steps = try await ReplayServer.withReplay(cassette: copy, requireAllUsed: true, logger: ProxyTestSupport.logger) { base in
            try await MerchantFlow().run(baseURL: base)
        }
        #expect(steps.map(\.status) == [200, 200, 204, 200, 400])
    }
}

/// What replay serves through the library users' tests use is what a client generated from
/// Klarna's OpenAPI document accepts.
@Suite(.serialized) struct ReplayFidelityTests {
    typealias Support = ProxyTestSupport

    @Test func everyReplayedAnswerFitsTheDocument() async throws {
        let (cassette, recorded) = try await ReplayProxyTests.recordFlows(count: 1)
        let replayed = try await ReplayServer.withReplay(cassette: cassette, logger: Support.logger) { base in
            try await MerchantFlow().run(baseURL: base)
        }
        #expect(replayed.map(\.status) == recorded[0].map(\.status))
        var validated = 0
        for step in replayed {
            let operation = KlarnaRouteClassifier.classify(method: step.method, target: step.path).operation
            guard let schema = OpenAPIDocument.klarna.responseSchema(for: operation, status: step.status) else { continue }
            let body = try JSONParser.parse(step.body)
            #expect(SchemaValidator.violations(of: body, against: schema) == [], "\(step.name)")
            validated += 1
        }
        #expect(validated == 3, "create and both reads")
        let read = try JSONParser.parse(replayed[1].body)
        let email = try #require(read["billing_address"]?["email"]?.stringValue)
        #expect(email.hasPrefix("redacted.") && email.hasSuffix("@example.invalid"))
        #expect(read["billing_address"]?["postal_code"]?.stringValue?.map(PseudonymToken.shapeClass) == Array("AAnA_nAA"))
        #expect(read["billing_address"]?["country"]?.stringValue?.count == 2)
    }

    @Test func fakeKlarnaRejectsWhatTheDocumentForbids() async throws {
        try await Support.withFakeKlarna { port in
            let base = "http://127.0.0.1:\(port)"
            let auth = [("Authorization", "Basic " + Data("K1:secret".utf8).base64EncodedString())]
            let created = try await Support.send("POST", "\(base)/payments/v1/sessions", body: MerchantFlow.createBody, headers: auth)
            let session = try #require(created.json?["session_id"]?.stringValue)
            let bad = ##"{"order_lines":[{"name":"x","quantity":1,"unit_price":1,"total_amount":[]}],"options":{"color_border":"#6280BE*"}}"##
            let reply = try await Support.send("POST", "\(base)/payments/v1/sessions/\(session)", body: bad, headers: auth)
            #expect(reply.status == 400)
            #expect(reply.json?["error_code"] == "BAD_VALUE")
            #expect(reply.json?["error_messages"] == ["Bad value: order_lines[0].total_amount, options.color_border"])
            let read = try await Support.send("GET", "\(base)/payments/v1/sessions/\(session)", headers: auth)
            #expect(read.json?["options"] == nil, "a refused update changes nothing")
        }
    }
}
