import Testing

@testable import SessproxyCore

@Suite struct ReplayMissReportTests {
    typealias F = ReplayFixture

    static let flow: [RecordedExchange] = [
        F.create(1, session: "A"),
        F.read(2, session: "A", quantity: 1),
        F.update(3, session: "A", body: F.cart(quantity: 1)),
        F.read(4, session: "A", quantity: 1),
        F.create(5, session: "B", body: F.cart(quantity: 5)),
        F.update(6, session: "B", body: F.cart(quantity: 7)),
    ]

    func miss(_ requests: [ReplayRequest], recorded: [RecordedExchange] = flow) throws -> ReplayMissReport {
        var engine = InMemoryReplay(exchanges: recorded)
        for request in requests.dropLast() { _ = engine.answer(request) }
        return try #require(engine.answer(requests[requests.count - 1]).missReport)
    }

    @Test func namesTheFieldDifference() throws {
        let report = try miss([F.createRequest(), F.updateRequest("A", quantity: 2)])
        #expect(report.method == "POST")
        #expect(report.target == "/payments/v1/sessions/A")
        #expect(report.operation == .update)
        #expect(report.sessionID == "A")
        #expect(report.sessionKnown)
        let best = try #require(report.candidates.first)
        #expect(best.exchangeID == 3)
        #expect(best.rejection == nil)
        #expect(best.differences.contains("order_lines[ref=CAP-7].quantity: 1 → 2"))
        #expect(best.differences.contains("order_amount: 100 → 200"))
        #expect(!best.differences.contains { $0.contains("email") })
        #expect(best.sentence.contains("order_lines[ref=CAP-7].quantity: 1 → 2"))
    }

    @Test func ranksSameSessionFirstThenFewestDifferences() throws {
        var recorded = Self.flow
        recorded.append(F.update(7, session: "A", body: F.cart(quantity: 1, country: "NO")))
        let report = try miss([F.createRequest(), F.updateRequest("A", quantity: 1, country: "DK")], recorded: recorded)
        #expect(report.candidates.map(\.exchangeID) == [3, 7, 6])
        #expect(report.candidates[0].differences == ["purchase_country: \"SE\" → \"DK\""])
        #expect(report.candidates[2].differences.contains("path: /payments/v1/sessions/B → /payments/v1/sessions/A"))
    }

    @Test func bodyOfAnotherSessionIsRejectedAsOtherSession() throws {
        let report = try miss([F.createRequest(), F.updateRequest("A", quantity: 7)])
        let other = try #require(report.candidates.first { $0.exchangeID == 6 })
        #expect(other.rejection == .otherSession("B"))
        #expect(other.sentence.contains("other session"))
        #expect(report.candidates.first?.exchangeID == 3)
    }

    @Test func unknownSessionIsNamed() throws {
        let report = try miss([F.updateRequest("Z", quantity: 1)])
        #expect(!report.sessionKnown)
        let best = try #require(report.candidates.first)
        #expect(best.exchangeID == 3)
        #expect(best.rejection == .unknownSession)
        #expect(best.differences == ["path: /payments/v1/sessions/A → /payments/v1/sessions/Z"])
        #expect(report.headerValue.contains("unknown session"))
        #expect(report.logLine.contains("unknown session"))
    }

    @Test func readBeforeItsRecordedPositionIsLaterInTimeline() throws {
        let recorded = [F.create(1, session: "A"), F.update(2, session: "A", body: F.cart(quantity: 2)), F.read(3, session: "A", quantity: 2)]
        let report = try miss([F.createRequest(), F.readRequest("A")], recorded: recorded)
        #expect(report.candidates.first?.rejection == .laterInTimeline(recordedAfterUpdates: 1, replayedUpdates: 0))
    }

    @Test func errorBodyCarriesCodeSentencesAndTheStructuredReport() throws {
        let report = try miss([F.createRequest(), F.updateRequest("A", quantity: 2)])
        let body = report.errorBody(cassette: "checkout.sqlite")
        #expect(body.errorCode == "SESSPROXY_NO_MATCH")
        #expect(body.errorMessages.count == 1 + report.candidates.count)
        #expect(body.errorMessages[0].contains("checkout.sqlite"))
        #expect(body.errorMessages[1] == report.candidates[0].sentence)
        let parsed = try JSONParser.parse(body.bytes)
        let structured = try #require(parsed["sessproxy_miss"])
        #expect(structured == report.json)
        #expect(structured["request"]?["operation"] == "update")
        #expect(structured["candidates"]?[0]?["exchange_id"] == 3)
        #expect(report.errorBody(cassette: "checkout.sqlite") == body)
    }

    @Test func headerValueIsOneAsciiLine() throws {
        let report = try miss([F.createRequest(), F.updateRequest("A", quantity: 2)])
        let header = report.headerValue
        #expect(header.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) })
        #expect(header.contains("nearest #3"))
        #expect(header.contains("1 -> 2"))
        #expect(report.logLine.contains("order_lines[ref=CAP-7].quantity: 1 → 2"))
        #expect(!report.logLine.contains("\n"))
    }

    @Test func liveSecretsNeverReachTheReport() throws {
        let report = try miss([F.request("POST", "/payments/v1/authorizations/live-secret-token/order", body: #"{"a":1}"#)])
        #expect(report.target == "/payments/v1/authorizations/redacted/order")
        #expect(!report.logLine.contains("live-secret-token"))
        #expect(!report.json.canonicalText.contains("live-secret-token"))
    }

    @Test func emptyCassetteStillExplains() throws {
        let report = try miss([F.readRequest("A")], recorded: [])
        #expect(report.candidates.isEmpty)
        #expect(report.errorBody(cassette: "x.sqlite").errorMessages.count == 2)
    }
}
