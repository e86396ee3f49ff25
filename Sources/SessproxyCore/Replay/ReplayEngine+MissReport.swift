/// Explaining a miss: `decide` names the recorded requests worth comparing (no bodies read),
/// the caller reads them outside the engine's lock, and `explain` ranks them and words the
/// field-level differences.
extension ReplayEngine {
    /// A miss waiting for its candidates' bodies.
    public struct MissExplanation: Sendable {
        let key: ReplayRequestKey
        let cause: MissCause
        /// Candidates in rank order before differences are known (same operation and session first).
        let ordered: [(index: Int, tier: Int)]
        /// One exchange per distinct recorded request among them, by match key.
        let wanted: [String: Int64]

        /// The exchanges to read: at most `maximumDiffedBodies`, however big the cassette.
        public var sourceIDs: [Int64] { Array(wanted.values) }
    }

    private struct Scored {
        let index: Int
        let tier: Int
        let differences: [String]
        /// Changed leaves; ranks candidates so that a whole added subtree counts for its size.
        let weight: Int
        let rejection: ReplayMissCandidate.Rejection?
    }

    /// The recorded requests of the same operation (all requests when there are none) worth
    /// comparing with a missed one, and which exchanges to read for them.
    func missExplanation(for key: ReplayRequestKey, cause: MissCause) -> MissExplanation {
        var pool = indicesByOperation[key.operation] ?? []
        if pool.isEmpty { pool = Array(entries.indices) }
        func tier(_ index: Int) -> Int {
            let recorded = entries[index]
            guard recorded.operation == key.operation else { return 2 }
            return key.sessionID == nil || recorded.keySessionID == key.sessionID ? 0 : 1
        }
        let ordered = pool.map { (index: $0, tier: tier($0)) }.sorted { ($0.tier, $0.index) < ($1.tier, $1.index) }
        var wanted: [String: Int64] = [:]
        for (index, _) in ordered {
            let entry = entries[index]
            guard wanted[entry.matchKey] == nil else { continue }
            guard wanted.count < Self.maximumDiffedBodies else { break }
            wanted[entry.matchKey] = entry.sourceID
        }
        return MissExplanation(key: key, cause: cause, ordered: ordered, wanted: wanted)
    }

    /// The miss report, from the candidates' exchanges as read: ranked same operation and
    /// session first, then fewest differences, then recorded order. Kept for `misses`.
    public mutating func explain(_ miss: MissExplanation, with loaded: [Int64: RecordedExchange]) -> ReplayMissReport {
        var recordedKeys: [String: ReplayRequestKey] = [:]
        recordedKeys.reserveCapacity(miss.wanted.count)
        for (matchKey, sourceID) in miss.wanted {
            if let exchange = loaded[sourceID] { recordedKeys[matchKey] = matcher.key(for: exchange) }
        }
        let report = missReport(for: miss.key, cause: miss.cause, ordered: miss.ordered, recordedKeys: recordedKeys)
        misses.append(report)
        return report
    }

    private func missReport(
        for key: ReplayRequestKey, cause: MissCause, ordered: [(index: Int, tier: Int)], recordedKeys: [String: ReplayRequestKey]
    ) -> ReplayMissReport {
        let sessionKnown = key.sessionID.map(knownSessions.contains) ?? true

        let liveJSON = key.body.jsonValue
        var bodyDifferences: [ReplayBody: (summaries: [String], weight: Int)] = [:]
        var scored: [Scored] = []
        for (index, tier) in ordered {
            guard let recorded = recordedKeys[entries[index].matchKey] else { continue }
            let body: (summaries: [String], weight: Int)
            if let cached = bodyDifferences[recorded.body] {
                body = cached
            } else {
                guard bodyDifferences.count < Self.maximumDiffedBodies else { continue }
                body = Self.bodyDifferences(recorded: recorded.body, live: key.body, liveJSON: liveJSON)
                bodyDifferences[recorded.body] = body
            }
            var differences: [String] = []
            if recorded.method != key.method { differences.append("method: \(recorded.method) → \(key.method)") }
            if recorded.operation != key.operation {
                differences.append("operation: \(recorded.operation.rawValue) → \(key.operation.rawValue)")
            }
            if recorded.path != key.path { differences.append("path: \(recorded.path) → \(key.path)") }
            if recorded.query != key.query {
                differences.append("query: \(Self.shown(recorded.query)) → \(Self.shown(key.query))")
            }
            let weight = differences.count + body.weight
            differences += body.summaries
            scored.append(Scored(index: index, tier: tier, differences: differences, weight: weight, rejection: rejection(of: index, recorded: recorded, for: key, sessionKnown: sessionKnown, cause: cause)))
        }
        // Among equals, a sequence that ran out is named by the answer it served last, not by an
        // earlier request of the same shape that was never its to serve.
        let used: Set<Int> = if case .exhausted(let members) = cause { Set(members) } else { [] }
        func order(_ item: Scored) -> (Int, Int, Int, Int) {
            (item.tier, item.weight, used.contains(item.index) ? 0 : 1, used.contains(item.index) ? -item.index : item.index)
        }
        scored.sort { order($0) < order($1) }

        var seenKeys = Set<String>()
        var candidates: [ReplayMissCandidate] = []
        for item in scored where candidates.count < Self.maximumCandidates {
            let entry = entries[item.index]
            guard seenKeys.insert(entry.matchKey).inserted, let recorded = recordedKeys[entry.matchKey] else { continue }
            candidates.append(ReplayMissCandidate(
                exchangeID: entry.exchangeID, method: recorded.method, target: recorded.target,
                operation: recorded.operation, sessionID: entry.sessionID,
                differences: Array(item.differences.prefix(Self.maximumListedDifferences)),
                differenceCount: item.differences.count, rejection: item.rejection))
        }
        var report = ReplayMissReport(
            method: key.method, target: key.target, operation: key.operation, sessionID: key.sessionID,
            sessionKnown: sessionKnown, candidates: candidates)
        if case .sessionForwarded = cause { report.sessionForwarded = true }
        return report
    }

    /// Why a recorded request whose method, operation and body equal the live one was not used.
    private func rejection(
        of index: Int, recorded: ReplayRequestKey, for key: ReplayRequestKey, sessionKnown: Bool, cause: MissCause
    ) -> ReplayMissCandidate.Rejection? {
        guard recorded.method == key.method, recorded.operation == key.operation, recorded.body == key.body else { return nil }
        if let live = key.sessionID, recorded.sessionID != live {
            return sessionKnown ? .otherSession(entries[index].sessionID) : .unknownSession
        }
        guard recorded == key else { return nil }
        switch cause {
        case .exhausted: return .alreadyUsed
        case .notYetInTimeline(let replayed):
            return .laterInTimeline(recordedAfterUpdates: entries[index].timelinePosition, replayedUpdates: replayed)
        case .noMatch, .unknownSession, .sessionForwarded: return nil
        }
    }

    /// Field-level differences recorded → live, from `JSONDiff` on the normalised bodies.
    private static func bodyDifferences(recorded: ReplayBody, live: ReplayBody, liveJSON: JSONValue?) -> (summaries: [String], weight: Int) {
        if recorded == live { return ([], 0) }
        switch (recorded, live) {
        case (.json, .json), (.json, .empty), (.empty, .json):
            let changes = JSONDiff.changes(from: recorded.jsonValue, to: liveJSON)
            return (changes.map(\.summary), changes.reduce(0) { $0 + $1.weight })
        default:
            // Nothing compares field by field: every field of the JSON side differs, so such a
            // candidate ranks after one with fewer changed fields, not before it.
            let whole = JSONDiff.changes(from: recorded.jsonValue, to: liveJSON).reduce(0) { $0 + $1.weight }
            return (["body: \(describe(recorded)) → \(describe(live))"], max(1, whole))
        }
    }

    private static func describe(_ body: ReplayBody) -> String {
        switch body {
        case .empty: return "empty"
        case .json(let text): return "JSON (\(text.utf8.count) bytes)"
        case .bytes(let bytes):
            // A withheld body is described as the body sent, not as the line that stands for it.
            if let withheld = WithheldBody(marker: bytes) { return "\(withheld.length) bytes, withheld (\(withheld.reason))" }
            return "\(bytes.count) bytes, not JSON"
        }
    }

    private static func shown(_ query: String) -> String {
        query.isEmpty ? "(none)" : query
    }
}
