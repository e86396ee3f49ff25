import Synchronization
import Testing

@testable import SessproxyCore

/// An engine built from an index decides exactly like one built from exchanges in memory, holds
/// no body source, and has its caller read bodies only to answer or to explain a miss.
@Suite struct ReplayIndexEngineTests {
    typealias F = ReplayFixture

    /// Exchanges by id, counting how many were read.
    final class CountingSource: ReplayExchangeSource {
        let byID: [Int64: RecordedExchange]
        let reads = Mutex(0)

        init(_ exchanges: [RecordedExchange]) {
            byID = Dictionary(uniqueKeysWithValues: exchanges.map { ($0.id!, $0) })
        }

        func exchange(id: Int64) -> RecordedExchange? {
            reads.withLock { $0 += 1 }
            return byID[id]
        }
    }

    static func indexed(_ exchanges: [RecordedExchange], options: ReplayEngine.Options = .init()) -> (ReplayEngine, CountingSource) {
        let matcher = ReplayMatcher()
        let index = exchanges.map {
            ReplayIndexEntry(exchangeID: $0.id!, sessionID: $0.sessionID, method: $0.method, target: $0.target, matchKey: matcher.matchKey(for: $0))
        }
        return (ReplayEngine(index: index, options: options), CountingSource(exchanges))
    }

    @Test(arguments: ReplayEngineTests.scenarios)
    func decidesLikeTheInMemoryEngine(_ scenario: ReplayEngineTests.Scenario) {
        for options in [ReplayEngine.Options(), ReplayEngine.Options(repeatsWhenExhausted: false)] {
            var memory = InMemoryReplay(exchanges: scenario.recorded, options: options)
            var (indexed, source) = Self.indexed(scenario.recorded, options: options)
            for step in scenario.steps {
                let prepared = ReplayEngine.prepare(step.0, matcher: indexed.matcher)
                #expect(indexed.answer(prepared, from: source) == memory.answer(step.0), "\(step.0.method) \(step.0.target)")
            }
            #expect(indexed.unusedExchangeIDs == memory.unusedExchangeIDs)
            #expect(indexed.misses == memory.misses)
            #expect(indexed.sessionIDs == memory.sessionIDs)
        }
    }

    /// Built from parts of the index handed over one by one (as a store reads them, every other
    /// part routed beforehand as the reading thread does), the engine decides as one built from
    /// the whole index.
    @Test(arguments: ReplayEngineTests.scenarios)
    func anEngineBuiltInPartsDecidesLikeOneBuiltAtOnce(_ scenario: ReplayEngineTests.Scenario) {
        let matcher = ReplayMatcher()
        let index = scenario.recorded.map {
            ReplayIndexEntry(exchangeID: $0.id!, sessionID: $0.sessionID, method: $0.method, target: $0.target, matchKey: matcher.matchKey(for: $0))
        }
        var builder = ReplayEngine.Builder(matcher: matcher)
        for (number, start) in stride(from: 0, to: index.count, by: 2).enumerated() {
            let part = index[start..<min(start + 2, index.count)]
            if number % 2 == 0 { builder.add(part) } else { builder.add(ReplayEngine.Builder.RoutedPart(Array(part), matcher: matcher)) }
        }
        var parts = builder.build()
        var whole = ReplayEngine(index: index)
        let source = CountingSource(scenario.recorded)
        for step in scenario.steps {
            let prepared = ReplayEngine.prepare(step.0, matcher: matcher)
            #expect(parts.answer(prepared, from: source) == whole.answer(prepared, from: source), "\(step.0.method) \(step.0.target)")
        }
        #expect(parts.exchangeCount == index.count && parts.unusedExchangeIDs == whole.unusedExchangeIDs)
        #expect(parts.misses == whole.misses && parts.sessionIDs == whole.sessionIDs)
    }

    @Test func readsNoBodiesToBuildAndOnePerAnswer() {
        let (built, source) = Self.indexed(ReplayEngineTests.simpleFlow)
        var engine = built
        #expect(source.reads.withLock { $0 } == 0)
        _ = engine.answer(ReplayEngine.prepare(F.createRequest(), matcher: engine.matcher), from: source)
        _ = engine.answer(ReplayEngine.prepare(F.readRequest("A"), matcher: engine.matcher), from: source)
        #expect(source.reads.withLock { $0 } == 2)
        _ = engine.answer(ReplayEngine.prepare(F.createRequest(), matcher: engine.matcher), from: source)
        #expect(source.reads.withLock { $0 } == 2, "answers are cached")
    }

    /// A miss is decided without reading anything; the candidates to read are named, bounded,
    /// and the report made from what the caller read equals the one-call answer's.
    @Test func aMissNamesWhatToReadAndIsExplainedFromIt() throws {
        var (engine, source) = Self.indexed(ReplayEngineTests.simpleFlow)
        var (oneStep, _) = Self.indexed(ReplayEngineTests.simpleFlow)
        let request = F.readRequest("unknown-session")
        guard case .explainMiss(let miss) = engine.decide(ReplayEngine.prepare(request, matcher: engine.matcher)) else {
            Issue.record("not a miss")
            return
        }
        #expect(source.reads.withLock { $0 } == 0)
        #expect(!miss.sourceIDs.isEmpty && miss.sourceIDs.count <= ReplayEngine.maximumDiffedBodies)
        let report = engine.explain(miss, with: source.exchanges(ids: miss.sourceIDs))
        #expect(oneStep.answer(ReplayEngine.prepare(request, matcher: oneStep.matcher), from: source) == .miss(report))
        #expect(engine.misses == [report])
    }

    /// The server's two-step use (decide under the lock, read outside, remember) gives the same
    /// answers as `answer(_:)`, and a remembered answer is not read again.
    @Test func decideReadRememberEqualsAnswer() throws {
        var (oneStep, oneStepSource) = Self.indexed(ReplayEngineTests.simpleFlow)
        var (twoStep, source) = Self.indexed(ReplayEngineTests.simpleFlow)
        for request in [F.createRequest(), F.readRequest("A"), F.createRequest()] {
            let prepared = ReplayEngine.prepare(request, matcher: twoStep.matcher)
            let answer: ReplayAnswer
            switch twoStep.decide(prepared) {
            case .answer(let cached): answer = cached
            case .read(let read): answer = twoStep.remember(read.answer(from: source.response(id: read.sourceID)), for: read)
            case .explainMiss: Issue.record("unexpected miss"); return
            }
            #expect(oneStep.answer(ReplayEngine.prepare(request, matcher: oneStep.matcher), from: oneStepSource).answer == answer)
        }
        #expect(source.reads.withLock { $0 } == 2, "the repeated create is answered from the remembered answer")
        guard case .answer = twoStep.decide(ReplayEngine.prepare(F.readRequest("A"), matcher: twoStep.matcher)) else {
            Issue.record("a remembered read is not offered as ready")
            return
        }
    }

    /// A create the index stores without a session is one Klarna refused: building the engine
    /// reads no body to find out, and replaying it answers the recorded refusal.
    @Test func aRefusedCreateIsKnownFromTheIndexWithoutReadingItsBody() {
        var refused = F.create(1, session: "A", body: F.cart(quantity: 9))
        refused.sessionID = nil
        refused.status = 400
        refused.responseBody = Array(#"{"correlation_id":"c","error_code":"BAD_VALUE","error_messages":["Bad value: order_amount"]}"#.utf8)
        let recorded = [refused, F.create(2, session: "A"), F.read(3, session: "A", quantity: 1)]
        var memory = InMemoryReplay(exchanges: recorded)
        var (indexed, source) = Self.indexed(recorded)
        #expect(source.reads.withLock { $0 } == 0)
        #expect(indexed.sessionIDs == ["A"] && indexed.sessionIDs == memory.sessionIDs)
        let refusal = F.exchange(9, "POST", "/payments/v1/sessions", body: F.cart(quantity: 9))
        for request in [ReplayRequest(method: "POST", target: refusal.target, headers: [], body: refusal.requestBody), F.createRequest(), F.readRequest("A")] {
            #expect(indexed.answer(ReplayEngine.prepare(request, matcher: indexed.matcher), from: source) == memory.answer(request))
        }
        #expect(source.reads.withLock { $0 } == 3, "one body per answer, none at start")
    }

    @Test func anUnreadableExchangeAnswers500() {
        let matcher = ReplayMatcher()
        let create = F.create(1, session: "A")
        let index = [ReplayIndexEntry(exchangeID: 1, sessionID: "A", method: create.method, target: create.target, matchKey: matcher.matchKey(for: create))]
        var engine = ReplayEngine(index: index)
        let answer = engine.answer(ReplayEngine.prepare(F.createRequest(), matcher: engine.matcher), from: CountingSource([])).answer
        #expect(answer?.status == 500)
        #expect(answer?.exchangeID == 1)
    }

    @Test func routeAgreesWithTheKey() {
        let matcher = ReplayMatcher()
        let targets = [
            "/payments/v1/sessions", "/payments/v1/sessions/", "/payments/v1/sessions//", "/payments/v1/sessions/abc",
            "/payments/v1/sessions/abc/", "/payments/v1/sessions/abc/x", "/payments/v1/sessions/abc?x=1#f", "/payments/v1/sessions?x",
            "/payments/v1/sessionsX", "/payments/v1/sessions/a%20b", "/payments/v1/sessions/é", "/payments/v1/sessions/redacted:00ff",
            "/payments/v1/authorizations/tok/order", "/other", "", "/payments/v1/sessions#frag", "/payments/v1/sessions/#x",
            // Personal data the write-time detector replaces in a path: the route must see it replaced too.
            "/payments/v1/sessions/4111111111111111", "/payments/v1/sessions/4111-1111-1111-1111",
            "/payments/v1/sessions/eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.sig", "/payments/v1/sessions/jane@example.com",
            "/payments/v1/sessions/5e5510a0-0000-4000-8000-000000000001",
        ]
        for method in ["GET", "post", "POST", "DELETE", "pAtCh"] {
            for target in targets {
                let key = matcher.key(method: method, target: target, body: [])
                let route = matcher.route(method: method, target: target)
                #expect(route.operation == key.operation && route.sessionID == key.sessionID, "\(method) \(target)")
            }
        }
    }

    @Test func matchKeysAreStableDigests() {
        let matcher = ReplayMatcher()
        let key = matcher.matchKey(for: F.create(1, session: "A"))
        #expect(key.count == 64 && key.allSatisfy(\.isHexDigit))
        #expect(key == matcher.matchKey(for: F.create(7, session: "A")))
        #expect(key != matcher.matchKey(for: F.create(1, session: "A", body: F.cart(quantity: 9))))
        #expect(matcher.rulesFingerprint == ReplayMatcher(rules: .klarna).rulesFingerprint)
        let extended = RedactionRules.klarna.extended(with: RedactionAdditions(paths: [try! JSONPathPattern("merchant_reference1")]))
        #expect(ReplayMatcher(rules: extended).rulesFingerprint != matcher.rulesFingerprint)
        let headersOnly = RedactionRules.klarna.extended(with: RedactionAdditions(headers: ["X-Shop-Token"]))
        #expect(ReplayMatcher(rules: headersOnly).rulesFingerprint == matcher.rulesFingerprint)
    }
}
