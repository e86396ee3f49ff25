import Foundation
import Testing

@testable import SessproxyCore

@Suite struct ReplayAnswerTests {
    /// The hand-written encoder agrees with Foundation's base64 made URL-safe and unpadded.
    @Test(arguments: 0..<12)
    func base64URLMatchesFoundation(_ length: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var expected = Data(bytes).base64EncodedString()
            expected = expected.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            while expected.hasSuffix("=") { expected.removeLast() }
            #expect(ReplayClientToken.base64URL(bytes) == expected)
        }
    }

    typealias F = ReplayFixture

    @Test func createAnswerGetsAReplayClientToken() throws {
        var engine = InMemoryReplay(exchanges: [F.create(1, session: "A")])
        let answer = try #require(engine.answer(F.createRequest()).answer)
        let json = try JSONParser.parse(answer.body)
        let token = try #require(json["client_token"]?.stringValue)
        #expect(token == ReplayClientToken.clientToken(sessionID: "A"))
        let parts = token.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        #expect(parts[2] == "replay")
        let header = try JSONParser.parse(try #require(F.base64URLDecode(parts[0])))
        #expect(header == ["alg": "none", "typ": "JWT"])
        let payload = try JSONParser.parse(try #require(F.base64URLDecode(parts[1])))
        #expect(payload["session_id"] == "A")
        #expect(payload["sessproxy"] == "replay")
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(json["session_id"] == "A")
    }

    @Test func readAnswerTokenNamesItsSession() throws {
        var engine = InMemoryReplay(exchanges: [F.create(1, session: "A"), F.read(2, session: "A", quantity: 1)])
        _ = engine.answer(F.createRequest())
        let answer = try #require(engine.answer(F.readRequest("A")).answer)
        #expect(try JSONParser.parse(answer.body)["client_token"]?.stringValue == ReplayClientToken.clientToken(sessionID: "A"))
    }

    @Test func authorizationTokenBecomesADeterministicUUID() throws {
        let one = ReplayClientToken.authorizationToken(replacing: "redacted:00112233aabbccdd")
        let same = ReplayClientToken.authorizationToken(replacing: "redacted:00112233aabbccdd")
        let other = ReplayClientToken.authorizationToken(replacing: "redacted:99112233aabbccdd")
        #expect(one == same)
        #expect(one != other)
        let groups = one.split(separator: "-").map(\.count)
        #expect(groups == [8, 4, 4, 4, 12])
        #expect(one.allSatisfy { $0 == "-" || $0.isHexDigit })

        let body = Array(#"{"authorization_token":"redacted:00112233aabbccdd","nested":{"client_token":"redacted"}}"#.utf8)
        let replaced = try #require(ReplayBodyRenderer().render(body, operation: .other, status: 200, sessionID: "S"))
        let json = try JSONParser.parse(replaced)
        #expect(json["authorization_token"]?.stringValue == one)
        #expect(json["nested"]?["client_token"]?.stringValue == ReplayClientToken.clientToken(sessionID: "S"))
    }

    @Test func bodiesWithoutRedactedTokensAreReturnedUntouched() throws {
        let pretty = "{\n  \"status\" : \"complete\",\n  \"client_token\" : \"eyJreal.token.sig\"\n}"
        let exchange = F.exchange(1, "GET", "/payments/v1/sessions/A", response: pretty)
        var engine = InMemoryReplay(exchanges: [exchange])
        let answer = try #require(engine.answer(F.readRequest("A")).answer)
        #expect(answer.body == Array(pretty.utf8))
        #expect(ReplayBodyRenderer().render(Array(pretty.utf8), operation: .read, status: 200, sessionID: "A") == nil)
    }

    @Test func framingHeadersAreDroppedAndReplayHeaderAdded() throws {
        let headers = [
            HeaderField(name: "Content-Type", value: "application/json;charset=utf-8"),
            HeaderField(name: "Content-Length", value: "999"),
            HeaderField(name: "Transfer-Encoding", value: "chunked"),
            HeaderField(name: "connection", value: "keep-alive"),
            HeaderField(name: "Content-Encoding", value: "gzip"),
            HeaderField(name: "Keep-Alive", value: "timeout=5"),
            HeaderField(name: "Klarna-Correlation-Id", value: "c-1"),
        ]
        let exchange = F.exchange(42, "GET", "/payments/v1/sessions/A", status: 200, response: #"{"status":"incomplete"}"#, responseHeaders: headers)
        var engine = InMemoryReplay(exchanges: [exchange])
        let answer = try #require(engine.answer(F.readRequest("A")).answer)
        #expect(answer.status == 200)
        #expect(answer.exchangeID == 42)
        #expect(answer.headers == [
            HeaderField(name: "Content-Type", value: "application/json;charset=utf-8"),
            HeaderField(name: "Klarna-Correlation-Id", value: "c-1"),
            HeaderField(name: "Sessproxy-Replay", value: "42"),
        ])
    }

    @Test func failedUpdateIsReplayedWithItsStatusAndBody() throws {
        let error = #"{"error_code":"BAD_VALUE","error_messages":["Bad value: order_amount"],"correlation_id":"c1"}"#
        let recorded = [F.create(1, session: "A"), F.update(2, session: "A", body: F.cart(quantity: 2), status: 400, response: error)]
        var engine = InMemoryReplay(exchanges: recorded)
        _ = engine.answer(F.createRequest())
        let answer = try #require(engine.answer(F.updateRequest("A", quantity: 2)).answer)
        #expect(answer.status == 400)
        #expect(answer.body == Array(error.utf8))
    }
}
