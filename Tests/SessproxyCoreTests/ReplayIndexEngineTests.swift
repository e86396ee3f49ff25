import Synchronization
import Testing

@testable import SessproxyCore

/// An engine built from an index and a body source decides exactly like one built from
/// exchanges in memory, and reads bodies only when it answers or explains a miss.
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
        let source = CountingSource(exchanges)
        return (ReplayEngine(index: index, source: source, options: options), source)
    }

    @Test(arguments: ReplayEngineTests.scenarios)
    func decidesLikeTheInMemoryEngine(_ scenario: ReplayEngineTests.Scenario) {
        for options in [ReplayEngine.Options(), ReplayEngine.Options(repeatsWhenExhausted: false)] {
            var memory = ReplayEngine(exchanges: scenario.recorded, options: options)
            var (indexed, _) = Self.indexed(scenario.recorded, options: options)
            for step in scenario.steps {
                #expect(indexed.answer(step.0) == memory.answer(step.0), "\(step.0.method) \(step.0.target)")
            }
            #expect(indexed.unusedExchangeIDs == memory.unusedExchangeIDs)
            #expect(indexed.misses == memory.misses)
            #expect(indexed.sessionIDs == memory.sessionIDs)
        }
    }

    @Test func readsNoBodiesToBuildAndOnePerAnswer() {
        let (built, source) = Self.indexed(ReplayEngineTests.simpleFlow)
        var engine = built
        #expect(source.reads.withLock { $0 } == 0)
        _ = engine.answer(F.createRequest())
        _ = engine.answer(F.readRequest("A"))
        #expect(source.reads.withLock { $0 } == 2)
        _ = engine.answer(F.createRequest())
        #expect(source.reads.withLock { $0 } == 2, "answers are cached")
    }

    /// The server's two-step use (decide under the lock, read outside, remember) gives the same
    /// answers as `answer(_:)`, and a remembered answer is not read again.
    @Test func decideReadRememberEqualsAnswer() throws {
        var (oneStep, _) = Self.indexed(ReplayEngineTests.simpleFlow)
        var (twoStep, source) = Self.indexed(ReplayEngineTests.simpleFlow)
        for request in [F.createRequest(), F.readRequest("A"), F.createRequest()] {
            let prepared = ReplayEngine.prepare(request, matcher: twoStep.matcher)
            let answer: ReplayAnswer
            switch twoStep.decide(prepared) {
            case .answer(let cached): answer = cached
            case .load(let load): answer = twoStep.remember(load.read(), for: load)
            case .miss(let report): Issue.record("unexpected miss: \(report.logLine)"); return
            }
            #expect(oneStep.answer(request).answer == answer)
        }
        #expect(source.reads.withLock { $0 } == 2, "the repeated create is answered from the remembered answer")
        guard case .answer = twoStep.decide(ReplayEngine.prepare(F.readRequest("A"), matcher: twoStep.matcher)) else {
            Issue.record("a remembered read is not offered as ready")
            return
        }
    }

    @Test func aCreateWithoutStoredSessionLearnsItFromTheResponse() {
        var create = F.create(1, session: "A")
        create.sessionID = nil
        let recorded = [create, F.read(2, session: "A", quantity: 1)]
        var memory = ReplayEngine(exchanges: recorded)
        var (indexed, _) = Self.indexed(recorded)
        #expect(indexed.sessionIDs == memory.sessionIDs)
        for request in [F.createRequest(), F.readRequest("A")] {
            #expect(indexed.answer(request) == memory.answer(request))
        }
    }

    @Test func anUnreadableExchangeAnswers500() {
        let matcher = ReplayMatcher()
        let create = F.create(1, session: "A")
        let index = [ReplayIndexEntry(exchangeID: 1, sessionID: "A", method: create.method, target: create.target, matchKey: matcher.matchKey(for: create))]
        var engine = ReplayEngine(index: index, source: CountingSource([]))
        let answer = engine.answer(F.createRequest()).answer
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
