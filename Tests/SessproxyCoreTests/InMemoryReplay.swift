@testable import SessproxyCore

/// A replay engine over exchanges held in memory, driven as a server drives one over a
/// cassette: `decide`, read what it names from the exchanges, then `remember` or `explain`. The
/// engine itself reads nothing; this keeps the exchanges beside it. Its state (misses, hits,
/// unused exchanges) reads through to the engine.
@dynamicMemberLookup
struct InMemoryReplay {
    var engine: ReplayEngine
    let source: ReplayMemorySource

    /// Keys are computed from the exchanges' bodies; a create without a session id learns it
    /// from its answer, as recording does.
    init(exchanges: [RecordedExchange], rules: RedactionRules = .klarna, options: ReplayEngine.Options = ReplayEngine.Options()) {
        let matcher = ReplayMatcher(rules: rules)
        var builder = ReplayEngine.Builder(matcher: matcher, options: options, expectedCount: exchanges.count, sourceByPosition: true)
        for (index, exchange) in exchanges.enumerated() {
            let isCreate = matcher.route(method: exchange.method, target: exchange.target).operation == .create
            let sessionID = exchange.sessionID ?? (isCreate ? KlarnaRouteClassifier.sessionID(fromCreateResponse: exchange.responseBody) : nil)
            builder.add(
                ReplayIndexEntry(
                    exchangeID: exchange.id ?? Int64(index + 1), sessionID: sessionID, method: exchange.method,
                    target: exchange.target, matchKey: matcher.matchKey(for: exchange)))
        }
        engine = builder.build()
        source = ReplayMemorySource(exchanges: exchanges)
    }

    mutating func answer(_ request: ReplayRequest) -> ReplayDecision {
        engine.answer(ReplayEngine.prepare(request, matcher: engine.matcher), from: source)
    }

    subscript<Value>(dynamicMember keyPath: KeyPath<ReplayEngine, Value>) -> Value {
        engine[keyPath: keyPath]
    }
}

extension ReplayEngine {
    /// `decide` → read from `source` → `remember` or `explain`, in one call.
    mutating func answer(_ prepared: PreparedRequest, from source: any ReplayExchangeSource) -> ReplayDecision {
        switch decide(prepared) {
        case .answer(let answer):
            return .hit(answer)
        case .read(let read):
            return .hit(remember(read.answer(from: source.response(id: read.sourceID)), for: read))
        case .explainMiss(let miss):
            return .miss(explain(miss, with: source.exchanges(ids: miss.sourceIDs)))
        }
    }
}
