import Testing

@testable import SessproxyCore

@Suite struct ReplayEngineTests {
    typealias F = ReplayFixture

    /// A recording and a replayed request sequence with the exchange id each request must get
    /// (nil: a miss).
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let recorded: [RecordedExchange]
        let steps: [(ReplayRequest, Int64?)]
        var testDescription: String { name }
    }

    static let cartOne = F.cart(quantity: 1)
    static let cartTwo = F.cart(quantity: 2)
    static let cartThree = F.cart(quantity: 3)

    /// create(1) read(2) update→2 (3) read(4)
    static let simpleFlow: [RecordedExchange] = [
        F.create(1, session: "A"),
        F.read(2, session: "A", quantity: 1),
        F.update(3, session: "A", body: cartTwo),
        F.read(4, session: "A", quantity: 2),
    ]

    static let scenarios: [Scenario] = [
        Scenario(
            name: "replayed in recorded order",
            recorded: simpleFlow,
            steps: [(F.createRequest(), 1), (F.readRequest("A"), 2), (F.updateRequest("A", quantity: 2), 3), (F.readRequest("A"), 4)]),
        Scenario(
            name: "extra reads before the update still see the pre-update cart",
            recorded: simpleFlow,
            steps: [
                (F.createRequest(), 1), (F.readRequest("A"), 2), (F.readRequest("A"), 2), (F.readRequest("A"), 2),
                (F.updateRequest("A", quantity: 2), 3), (F.readRequest("A"), 4), (F.readRequest("A"), 4),
            ]),
        Scenario(
            name: "a read skipped before the update is not answered later",
            recorded: simpleFlow,
            steps: [(F.createRequest(), 1), (F.updateRequest("A", quantity: 2), 3), (F.readRequest("A"), 4)]),
        Scenario(
            name: "reads at one timeline position are sequenced, the last repeats",
            recorded: [
                F.create(1, session: "A"), F.read(2, session: "A", quantity: 1),
                F.read(3, session: "A", quantity: 1, status: "complete"),
            ],
            steps: [(F.createRequest(), 1), (F.readRequest("A"), 2), (F.readRequest("A"), 3), (F.readRequest("A"), 3)]),
        Scenario(
            name: "no read at the current position falls back to the latest lower one",
            recorded: [
                F.create(1, session: "A"), F.read(2, session: "A", quantity: 1), F.update(3, session: "A", body: cartTwo),
                F.update(4, session: "A", body: cartThree), F.read(5, session: "A", quantity: 3),
            ],
            steps: [
                (F.createRequest(), 1), (F.updateRequest("A", quantity: 2), 3), (F.readRequest("A"), 2),
                (F.updateRequest("A", quantity: 3), 4), (F.readRequest("A"), 5),
            ]),
        Scenario(
            name: "a read with only later reads recorded is a miss",
            recorded: [F.create(1, session: "A"), F.update(2, session: "A", body: cartTwo), F.read(3, session: "A", quantity: 2)],
            steps: [(F.createRequest(), 1), (F.readRequest("A"), nil), (F.updateRequest("A", quantity: 2), 2), (F.readRequest("A"), 3)]),
        Scenario(
            name: "a re-sent identical update repeats its answer",
            recorded: simpleFlow,
            steps: [
                (F.createRequest(), 1), (F.updateRequest("A", quantity: 2), 3), (F.updateRequest("A", quantity: 2), 3),
                (F.readRequest("A"), 4),
            ]),
        Scenario(
            name: "identical updates recorded twice are used in order, then the last repeats",
            recorded: [
                F.create(1, session: "A"), F.update(2, session: "A", body: cartTwo), F.read(3, session: "A", quantity: 2),
                F.update(4, session: "A", body: cartTwo), F.read(5, session: "A", quantity: 2),
            ],
            steps: [
                (F.createRequest(), 1), (F.updateRequest("A", quantity: 2), 2), (F.readRequest("A"), 3),
                (F.updateRequest("A", quantity: 2), 4), (F.readRequest("A"), 5), (F.updateRequest("A", quantity: 2), 4),
                (F.readRequest("A"), 5),
            ]),
        Scenario(
            name: "an update sent out of recorded order moves the session to that update's place",
            recorded: [
                F.create(1, session: "A"), F.update(2, session: "A", body: cartTwo), F.read(3, session: "A", quantity: 2),
                F.update(4, session: "A", body: cartThree), F.read(5, session: "A", quantity: 3),
            ],
            steps: [
                (F.createRequest(), 1), (F.updateRequest("A", quantity: 3), 4), (F.readRequest("A"), 5),
                (F.updateRequest("A", quantity: 2), 2), (F.readRequest("A"), 3),
            ]),
        Scenario(
            name: "an update body recorded twice prefers the copy next in the timeline",
            recorded: [
                F.create(1, session: "A"), F.update(2, session: "A", body: cartTwo), F.read(3, session: "A", quantity: 2),
                F.update(4, session: "A", body: cartThree), F.update(5, session: "A", body: cartTwo), F.read(6, session: "A", quantity: 2),
            ],
            steps: [
                (F.createRequest(), 1), (F.updateRequest("A", quantity: 3), 4), (F.updateRequest("A", quantity: 2), 5),
                (F.readRequest("A"), 6), (F.updateRequest("A", quantity: 2), 2), (F.readRequest("A"), 3),
            ]),
        Scenario(
            name: "a failed update is a timeline step",
            recorded: [
                F.create(1, session: "A"), F.read(2, session: "A", quantity: 1),
                F.update(3, session: "A", body: F.cart(quantity: 2, country: "XX"), status: 400,
                         response: #"{"error_code":"BAD_VALUE","error_messages":["Bad value: purchase_country"],"correlation_id":"c1"}"#),
                F.read(4, session: "A", quantity: 1, status: "after-failed-update"),
                F.update(5, session: "A", body: cartTwo), F.read(6, session: "A", quantity: 2),
            ],
            steps: [
                (F.createRequest(), 1), (F.readRequest("A"), 2), (F.updateRequest("A", quantity: 2, country: "XX"), 3),
                (F.readRequest("A"), 4), (F.updateRequest("A", quantity: 2), 5), (F.readRequest("A"), 6),
            ]),
        Scenario(
            name: "creates with identical bodies cycle through the recorded sessions",
            recorded: [F.create(1, session: "A"), F.create(2, session: "B")],
            steps: [(F.createRequest(), 1), (F.createRequest(), 2), (F.createRequest(), 1), (F.createRequest(), 2)]),
        Scenario(
            name: "creates with different bodies map to their own recordings",
            recorded: [F.create(1, session: "A"), F.create(2, session: "B", body: cartTwo)],
            steps: [(F.createRequest(quantity: 2), 2), (F.createRequest(quantity: 1), 1), (F.createRequest(quantity: 9), nil)]),
        Scenario(
            name: "two interleaved sessions keep separate timelines",
            recorded: [
                F.create(1, session: "A"), F.create(2, session: "B", body: cartTwo), F.read(3, session: "A", quantity: 1),
                F.read(4, session: "B", quantity: 2), F.update(5, session: "B", body: cartThree), F.read(6, session: "B", quantity: 3),
                F.update(7, session: "A", body: cartTwo), F.read(8, session: "A", quantity: 2),
            ],
            steps: [
                (F.createRequest(quantity: 2), 2), (F.createRequest(quantity: 1), 1), (F.updateRequest("A", quantity: 2), 7),
                (F.readRequest("B"), 4), (F.readRequest("A"), 8), (F.updateRequest("B", quantity: 3), 5),
                (F.readRequest("B"), 6), (F.readRequest("A"), 8),
            ]),
        Scenario(
            name: "other operations are sequenced and the last repeats",
            recorded: [
                F.exchange(1, "POST", "/payments/v1/authorizations/\(F.tokenPseudonym)/order", body: #"{"a":1}"#, response: #"{"order_id":"o1"}"#),
                F.exchange(2, "POST", "/payments/v1/authorizations/\(F.tokenPseudonym)/order", body: #"{"a":1}"#, response: #"{"order_id":"o2"}"#),
            ],
            steps: [
                (F.request("POST", "/payments/v1/authorizations/live-token/order", body: #"{"a":1}"#), 1),
                (F.request("POST", "/payments/v1/authorizations/live-token/order", body: #"{"a":1}"#), 2),
                (F.request("POST", "/payments/v1/authorizations/live-token/order", body: #"{"a":1}"#), 2),
                (F.request("POST", "/payments/v1/authorizations/live-token/order", body: #"{"a":2}"#), nil),
            ]),
        Scenario(
            name: "requests on unknown sessions miss",
            recorded: simpleFlow,
            steps: [(F.readRequest("Z"), nil), (F.updateRequest("Z", quantity: 2), nil), (F.createRequest(), 1)]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) {
        var engine = InMemoryReplay(exchanges: scenario.recorded)
        for (offset, step) in scenario.steps.enumerated() {
            let got = F.answeredID(engine.answer(step.0))
            #expect(got == step.1, "step \(offset): \(step.0.method) \(step.0.target)")
        }
    }

    @Test func replayedCreateResetsTheSessionTimeline() {
        var engine = InMemoryReplay(exchanges: Self.simpleFlow)
        let flow = [F.createRequest(), F.readRequest("A"), F.updateRequest("A", quantity: 2), F.readRequest("A")]
        let first = flow.map { engine.answer($0) }
        let second = flow.map { engine.answer($0) }
        #expect(first.map(F.answeredID) == [1, 2, 3, 4])
        #expect(second == first)
        #expect(engine.hitCount == 8)
        #expect(engine.misses.isEmpty)
    }

    /// A session handed to the upstream misses from then on, comparing nothing, until a create
    /// answered with it starts it over; other sessions are untouched.
    @Test func aSessionHandedToTheUpstreamMissesUntilACreateStartsItOver() throws {
        var engine = InMemoryReplay(exchanges: Self.simpleFlow + [F.create(5, session: "B", body: Self.cartTwo), F.read(6, session: "B", quantity: 2)])
        #expect(F.answeredID(engine.answer(F.createRequest())) == 1)
        engine.engine.handedToUpstream(ReplayEngine.prepare(F.updateRequest("A", quantity: 9), matcher: engine.matcher))
        let report = try #require(engine.answer(F.readRequest("A")).missReport)
        #expect(report.sessionForwarded && report.candidates.isEmpty)
        #expect(report.json["request"]?["session_forwarded"] == .bool(true))
        #expect(report.logLine.contains("forwarded since an earlier miss"))
        #expect(F.answeredID(engine.answer(F.readRequest("B"))) == 6)
        #expect(F.answeredID(engine.answer(F.createRequest())) == 1)
        #expect(F.answeredID(engine.answer(F.readRequest("A"))) == 2)
        engine.engine.handedToUpstream(ReplayEngine.prepare(F.createRequest(), matcher: engine.matcher))
        #expect(F.answeredID(engine.answer(F.readRequest("A"))) == 2, "a request without a session hands nothing over")
    }

    @Test func answersAreByteIdenticalAcrossEngines() {
        let flow = [F.createRequest(), F.readRequest("A"), F.updateRequest("A", quantity: 2), F.readRequest("A")]
        var one = InMemoryReplay(exchanges: Self.simpleFlow)
        var two = InMemoryReplay(exchanges: Self.simpleFlow)
        let a = flow.map { one.answer($0).answer }
        let b = flow.map { two.answer($0).answer }
        #expect(a.allSatisfy { $0 != nil })
        #expect(a == b)
    }

    @Test func unusedExchangeIDsListWhatWasNeverAnswered() {
        var engine = InMemoryReplay(exchanges: Self.simpleFlow)
        #expect(engine.unusedExchangeIDs == [1, 2, 3, 4])
        _ = engine.answer(F.createRequest())
        _ = engine.answer(F.updateRequest("A", quantity: 2))
        _ = engine.answer(F.updateRequest("A", quantity: 5))
        #expect(engine.unusedExchangeIDs == [2, 4])
        #expect(engine.hitCount == 2)
        #expect(engine.missCount == 1)
        #expect(engine.misses.first?.operation == .update)
    }

    /// A recorded body that could not be compared field by field (withheld: it was not JSON)
    /// ranks after a JSON one with a few changed fields, and is described as the body it stands for.
    @Test func aMissRanksAWithheldBodyAfterACloseJSONOne() throws {
        let withheld = WithheldBody(length: 8, digest: "redacted:0123456789abcdef", reason: "not valid JSON")
        var engine = InMemoryReplay(exchanges: [F.create(1, session: "A"), F.create(2, session: "B", body: withheld.text)])
        let report = try #require(engine.answer(F.createRequest(quantity: 2)).missReport)
        #expect(report.candidates.map(\.exchangeID) == [1, 2])
        let described = report.candidates.last?.differences.joined(separator: "; ") ?? ""
        #expect(described.contains("body: 8 bytes, withheld (not valid JSON) → JSON ("), "\(described)")
    }

    @Test func withoutRepeatsAnExhaustedSequenceIsAlreadyUsed() throws {
        var engine = InMemoryReplay(exchanges: Self.simpleFlow, options: .init(repeatsWhenExhausted: false))
        #expect(F.answeredID(engine.answer(F.createRequest())) == 1)
        #expect(F.answeredID(engine.answer(F.readRequest("A"))) == 2)
        let decision = engine.answer(F.readRequest("A"))
        let report = try #require(decision.missReport)
        #expect(report.candidates.first?.exchangeID == 2)
        #expect(report.candidates.first?.rejection == .alreadyUsed)
        #expect(F.answeredID(engine.answer(F.updateRequest("A", quantity: 2))) == 3)
        #expect(engine.answer(F.updateRequest("A", quantity: 2)).missReport?.candidates.first?.rejection == .alreadyUsed)
        #expect(engine.answer(F.createRequest()).missReport?.candidates.first?.rejection == .alreadyUsed)
        // After the update the reads run out at #4: the miss names #4, which was used, not the
        // earlier read #2 of the same shape, which belongs to the cart before the update.
        #expect(F.answeredID(engine.answer(F.readRequest("A"))) == 4)
        let afterUpdate = try #require(engine.answer(F.readRequest("A")).missReport)
        #expect(afterUpdate.candidates.first?.exchangeID == 4)
        #expect(afterUpdate.candidates.first?.rejection == .alreadyUsed)
    }

    @Test func buildsFromALargeCassetteAndAnswersFromIt() {
        var exchanges: [RecordedExchange] = []
        let sessionCount = 5_000
        exchanges.reserveCapacity(sessionCount * 4)
        for number in 0..<sessionCount {
            let session = "s\(number)"
            let base = Int64(number * 4)
            exchanges.append(F.create(base + 1, session: session, body: F.cart(quantity: number + 1)))
            exchanges.append(F.read(base + 2, session: session, quantity: number + 1))
            exchanges.append(F.update(base + 3, session: session, body: F.cart(quantity: number + 2)))
            exchanges.append(F.read(base + 4, session: session, quantity: number + 2))
        }
        var engine = InMemoryReplay(exchanges: exchanges)
        #expect(engine.exchangeCount == sessionCount * 4)
        #expect(F.answeredID(engine.answer(F.createRequest(quantity: 4_000))) == Int64(3_999 * 4 + 1))
        #expect(F.answeredID(engine.answer(F.updateRequest("s3999", quantity: 4_001))) == Int64(3_999 * 4 + 3))
        #expect(F.answeredID(engine.answer(F.readRequest("s3999"))) == Int64(3_999 * 4 + 4))
        #expect(engine.unusedExchangeIDs.count == sessionCount * 4 - 3)
    }
}
