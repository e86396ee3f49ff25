/// The session-aware replay state machine. Pure: it only sees recorded exchanges and live
/// requests; the server wraps it in a lock and turns decisions into HTTP answers.
///
/// Sequencing policy:
///
/// - **Matching** is `ReplayMatcher`'s key: method, operation, path with the session id, query
///   and normalised body. Request headers are ignored.
/// - **Create**: recorded creates with the same key are handed out in recorded order, each
///   answering with its recorded session; when used up they cycle back to the first. Answering
///   a create resets that session's timeline (updates replayed, used updates, read and other
///   sequences), so running the same flow twice against one replay server answers identically.
/// - **Update**: among the session's recorded updates with the same key, the first unused one
///   recorded after the session's current position is taken, else the first unused one at all;
///   when all are used, the one answered last for that body is repeated. The session's position
///   becomes that update's place in the session's recorded timeline. Every recorded update is a
///   timeline step, failed ones (4xx/5xx) included: Klarna leaves the session unchanged on a
///   rejected update, and the reads recorded after it already show that unchanged state, so
///   counting it keeps "reads recorded after this update" exact without looking at statuses.
/// - **Read**: every recorded read knows how many updates of its session preceded it. A live
///   read takes the reads recorded at the session's current position, in recorded order (the
///   last one repeats); with none at that position, the latest read recorded at a lower position
///   answers. A read with only later reads recorded is a miss (`later in session timeline`):
///   answering it with a future cart would hide a real difference.
/// - **Other** operations (orders, authorizations…): sequenced per key in recorded order, the
///   last answer repeats; the sequence belongs to the named session when the path has one.
/// - With `repeatsWhenExhausted` off (a stricter mode), nothing repeats or cycles: an
///   exhausted sequence is a miss with reason `already used`.
///
/// All state except the global create/other cursors is per session, so parallel clients on
/// different sessions never disturb each other. Building is one pass with dictionaries over
/// lightweight index entries whose request keys are already digested (`ReplayMatchKey`), so it
/// reads no bodies; bodies come from a `ReplayExchangeSource` only when a hit is answered (a
/// bounded number of answers is cached) or a miss is explained. A hit costs one normalisation,
/// one digest and dictionary lookups. Exchanges must be given in recorded order.
public struct ReplayEngine: Sendable {
    public struct Options: Sendable, Hashable {
        /// Repeat the last answer of an exhausted sequence (and cycle creates). On by default.
        public var repeatsWhenExhausted: Bool

        public init(repeatsWhenExhausted: Bool = true) {
            self.repeatsWhenExhausted = repeatsWhenExhausted
        }
    }

    /// At most this many candidates are named in a miss report.
    public static let maximumCandidates = 3
    /// At most this many differences are listed per candidate.
    static let maximumListedDifferences = 8
    /// Distinct recorded bodies diffed per miss, bounding the cost of a miss on huge cassettes.
    /// It also bounds the distinct recorded requests loaded from the source per miss.
    static let maximumDiffedBodies = 1000
    /// Answers kept ready; beyond this the cache starts over, so memory stays flat.
    static let maximumCachedAnswers = 512

    private struct Entry: Sendable {
        let exchangeID: Int64
        /// Id to ask the source for (the position for in-memory exchanges).
        let sourceID: Int64
        /// `ReplayMatchKey` digest of the request key.
        let matchKey: String
        /// The request key's operation and session, from method and target.
        let operation: KlarnaOperation
        let keySessionID: String?
        /// Session the exchange belongs to (for a create: the one its response names).
        let sessionID: String?
        /// Updates: 1-based place among the session's updates. Reads: updates recorded before it.
        let timelinePosition: Int
    }

    private struct ReadStep: Sendable {
        let updatesBefore: Int
        let group: Int
    }

    private struct SessionState: Sendable {
        var updatesReplayed = 0
        var cursors: [Int: Int] = [:]
        var usedUpdates: Set<Int> = []
        var lastUpdateAnswered: [Int: Int] = [:]
    }

    private enum Choice {
        case entry(Int)
        case miss(MissCause)
    }

    private enum MissCause {
        case noMatch
        case exhausted
        case notYetInTimeline(replayedUpdates: Int)
        case unknownSession
    }

    public let matcher: ReplayMatcher
    /// Turns recorded pseudonyms into stand-ins that fit the answer's schema.
    public let renderer: ReplayBodyRenderer
    public let options: Options
    private let source: any ReplayExchangeSource
    private let entries: [Entry]
    private let groups: [[Int]]
    private let groupByKey: [String: Int]
    private let readTimelines: [String: [ReadStep]]
    private let indicesByOperation: [KlarnaOperation: [Int]]
    private let knownSessions: Set<String>

    private var sessions: [String: SessionState] = [:]
    private var globalCursors: [Int: Int] = [:]
    private var answered: [Bool]
    private var answerCache: [Int: ReplayAnswer] = [:]

    /// Misses in the order they happened.
    public private(set) var misses: [ReplayMissReport] = []
    public private(set) var hitCount = 0
    public var missCount: Int { misses.count }
    public var exchangeCount: Int { entries.count }

    /// An engine over exchanges held in memory; keys are computed from their bodies here.
    public init(exchanges: [RecordedExchange], rules: RedactionRules = .klarna, options: Options = Options()) {
        let matcher = ReplayMatcher(rules: rules)
        let rows = exchanges.enumerated().map { index, exchange in
            ReplayIndexEntry(
                exchangeID: exchange.id ?? Int64(index + 1), sessionID: exchange.sessionID, method: exchange.method,
                target: exchange.target, matchKey: matcher.matchKey(for: exchange))
        }
        self.init(rows: rows, sourceByPosition: true, source: ReplayMemorySource(exchanges: exchanges), matcher: matcher, options: options)
    }

    /// An engine over a cassette's index; `source` answers by `exchangeID`. The entries' match
    /// keys must have been computed with `rules` (see `ReplayMatchKey.fingerprint`).
    public init(index: [ReplayIndexEntry], source: any ReplayExchangeSource, rules: RedactionRules = .klarna, options: Options = Options()) {
        self.init(rows: index, sourceByPosition: false, source: source, matcher: ReplayMatcher(rules: rules), options: options)
    }

    /// `sourceByPosition`: the source knows a row by its position (exchanges held in memory,
    /// whose ids may be missing or repeated), not by its exchange id.
    private init(
        rows: [ReplayIndexEntry], sourceByPosition: Bool, source: any ReplayExchangeSource, matcher: ReplayMatcher, options: Options
    ) {
        var entries: [Entry] = []
        entries.reserveCapacity(rows.count)
        var groups: [[Int]] = []
        var groupByKey: [String: Int] = [:]
        var readTimelines: [String: [ReadStep]] = [:]
        var indicesByOperation: [KlarnaOperation: [Int]] = [:]
        var knownSessions = Set<String>()
        var updatesSeen: [String: Int] = [:]
        let expected = rows.count / 2
        groups.reserveCapacity(expected)
        groupByKey.reserveCapacity(expected)
        readTimelines.reserveCapacity(expected)
        knownSessions.reserveCapacity(rows.count / 4)
        updatesSeen.reserveCapacity(rows.count / 4)

        func appendToGroup(_ key: String, _ index: Int) {
            if let group = groupByKey[key] {
                groups[group].append(index)
            } else {
                groupByKey[key] = groups.count
                groups.append([index])
            }
        }

        func appendRead(_ index: Int, at position: Int, to steps: inout [ReadStep]) {
            if let last = steps.last, last.updatesBefore == position {
                groups[last.group].append(index)
            } else {
                steps.append(ReadStep(updatesBefore: position, group: groups.count))
                groups.append([index])
            }
        }

        for (index, row) in rows.enumerated() {
            let sourceID = sourceByPosition ? Int64(index) : row.exchangeID
            let route = matcher.route(method: row.method, target: row.target)
            let key = row.matchKey
            let sessionID: String?
            if route.operation == .create {
                sessionID = row.sessionID
                    ?? source.exchange(id: sourceID).flatMap { KlarnaRouteClassifier.sessionID(fromCreateResponse: $0.responseBody) }
            } else {
                sessionID = route.sessionID ?? row.sessionID
            }
            var position = 0
            switch route.operation {
            case .update:
                if let sessionID {
                    position = updatesSeen[sessionID, default: 0] + 1
                    updatesSeen[sessionID] = position
                }
                appendToGroup(key, index)
            case .read:
                position = sessionID.flatMap { updatesSeen[$0] } ?? 0
                appendRead(index, at: position, to: &readTimelines[key, default: []])
            case .create, .other:
                appendToGroup(key, index)
            }
            if let sessionID { knownSessions.insert(sessionID) }
            indicesByOperation[route.operation, default: []].append(index)
            entries.append(Entry(
                exchangeID: row.exchangeID, sourceID: sourceID, matchKey: key, operation: route.operation,
                keySessionID: route.sessionID, sessionID: sessionID, timelinePosition: position))
        }

        self.matcher = matcher
        self.renderer = ReplayBodyRenderer(rules: matcher.rules)
        self.options = options
        self.source = source
        self.entries = entries
        self.groups = groups
        self.groupByKey = groupByKey
        self.readTimelines = readTimelines
        self.indicesByOperation = indicesByOperation
        self.knownSessions = knownSessions
        self.answered = Array(repeating: false, count: entries.count)
    }

    /// Ids of recorded exchanges that no request has been answered with (for `--strict`).
    public var unusedExchangeIDs: [Int64] {
        entries.indices.filter { !answered[$0] }.map { entries[$0].exchangeID }
    }

    /// Session ids the cassette knows (from create responses and session paths).
    public var sessionIDs: Set<String> { knownSessions }

    /// A live request's match key, computed apart from the state machine: normalising and
    /// hashing a body is the costly part, and a server can do it before taking its lock.
    public struct PreparedRequest: Sendable {
        let key: ReplayRequestKey
        let digest: String

        /// The Klarna operation the request was classified as (for metrics and logs).
        public var operation: KlarnaOperation { key.operation }
    }

    public static func prepare(_ request: ReplayRequest, matcher: ReplayMatcher) -> PreparedRequest {
        let key = matcher.key(for: request)
        return PreparedRequest(key: key, digest: ReplayMatchKey.digest(of: key))
    }

    /// Decides the answer to a live request and advances the replay state.
    public mutating func answer(_ request: ReplayRequest) -> ReplayDecision {
        answer(Self.prepare(request, matcher: matcher))
    }

    /// Decides the answer to a request prepared with this engine's matcher.
    public mutating func answer(_ prepared: PreparedRequest) -> ReplayDecision {
        switch decide(prepared) {
        case .answer(let answer):
            return .hit(answer)
        case .load(let load):
            return .hit(remember(load.read(), for: load))
        case .miss(let report):
            return .miss(report)
        }
    }

    /// What `decide` asks of its caller.
    public enum Step: Sendable {
        /// A hit whose answer is ready.
        case answer(ReplayAnswer)
        /// A hit whose recorded exchange must be read first: `load.read()` (it touches no
        /// engine state, so a server can run it outside the lock), then `remember` it.
        case load(AnswerLoad)
        case miss(ReplayMissReport)
    }

    /// Reading one recorded exchange into an answer.
    public struct AnswerLoad: Sendable {
        fileprivate let index: Int
        /// The recorded exchange this answer comes from.
        public let exchangeID: Int64
        fileprivate let sourceID: Int64
        fileprivate let sessionID: String?
        fileprivate let operation: KlarnaOperation
        fileprivate let source: any ReplayExchangeSource
        fileprivate let renderer: ReplayBodyRenderer

        /// The answer, or nil when the exchange cannot be read.
        public func read() -> ReplayAnswer? {
            source.response(id: sourceID).map {
                ReplayAnswer(recorded: $0, exchangeID: exchangeID, operation: operation, sessionID: sessionID, renderer: renderer)
            }
        }
    }

    /// Decides and advances the replay state, like `answer(_:)`, without reading bodies.
    public mutating func decide(_ prepared: PreparedRequest) -> Step {
        let key = prepared.key
        let digest = prepared.digest
        let choice: Choice
        switch key.operation {
        case .create: choice = chooseCreate(digest)
        case .read: choice = chooseRead(key, digest)
        case .update: choice = chooseUpdate(key, digest)
        case .other: choice = chooseOther(key, digest)
        }
        switch choice {
        case .entry(let index):
            hitCount += 1
            answered[index] = true
            if let cached = answerCache[index] { return .answer(cached) }
            let entry = entries[index]
            return .load(AnswerLoad(
                index: index, exchangeID: entry.exchangeID, sourceID: entry.sourceID, sessionID: entry.sessionID,
                operation: entry.operation, source: source, renderer: renderer))
        case .miss(let cause):
            let report = missReport(for: key, cause: cause)
            misses.append(report)
            return .miss(report)
        }
    }

    /// The answer to send for a load: the read one, kept for the next hit on the same exchange,
    /// or a 500 naming the exchange when it could not be read (not kept, so a later read can
    /// still succeed).
    public mutating func remember(_ read: ReplayAnswer?, for load: AnswerLoad) -> ReplayAnswer {
        guard let read else { return Self.unreadableAnswer(exchangeID: load.exchangeID) }
        if answerCache.count >= Self.maximumCachedAnswers { answerCache.removeAll(keepingCapacity: true) }
        answerCache[load.index] = read
        return read
    }

    // MARK: - Choosing

    private mutating func chooseCreate(_ digest: String) -> Choice {
        guard let group = groupByKey[digest] else { return .miss(.noMatch) }
        let members = groups[group]
        let cursor = globalCursors[group] ?? 0
        let offset: Int
        if cursor < members.count {
            offset = cursor
        } else if options.repeatsWhenExhausted {
            offset = cursor % members.count
        } else {
            return .miss(.exhausted)
        }
        globalCursors[group] = cursor + 1
        let index = members[offset]
        if let sessionID = entries[index].sessionID {
            sessions[sessionID] = SessionState()
        }
        return .entry(index)
    }

    private mutating func chooseRead(_ key: ReplayRequestKey, _ digest: String) -> Choice {
        guard let sessionID = key.sessionID, knownSessions.contains(sessionID) else { return .miss(.unknownSession) }
        guard let steps = readTimelines[digest] else { return .miss(.noMatch) }
        var state = sessions.removeValue(forKey: sessionID) ?? SessionState()
        defer { sessions[sessionID] = state }
        let replayed = state.updatesReplayed
        if let step = steps.last(where: { $0.updatesBefore == replayed }) {
            return next(in: step.group, cursors: &state.cursors).map(Choice.entry) ?? .miss(.exhausted)
        }
        if let step = steps.last(where: { $0.updatesBefore < replayed }) {
            let members = groups[step.group]
            if options.repeatsWhenExhausted { return .entry(members[members.count - 1]) }
            guard (state.cursors[step.group] ?? 0) < members.count else { return .miss(.exhausted) }
            state.cursors[step.group] = members.count
            return .entry(members[members.count - 1])
        }
        return .miss(.notYetInTimeline(replayedUpdates: replayed))
    }

    private mutating func chooseUpdate(_ key: ReplayRequestKey, _ digest: String) -> Choice {
        guard let sessionID = key.sessionID, knownSessions.contains(sessionID) else { return .miss(.unknownSession) }
        guard let group = groupByKey[digest] else { return .miss(.noMatch) }
        var state = sessions.removeValue(forKey: sessionID) ?? SessionState()
        defer { sessions[sessionID] = state }
        let members = groups[group]
        let chosen: Int
        if let next = members.first(where: { !state.usedUpdates.contains($0) && entries[$0].timelinePosition > state.updatesReplayed })
            ?? members.first(where: { !state.usedUpdates.contains($0) })
        {
            chosen = next
        } else if options.repeatsWhenExhausted {
            chosen = state.lastUpdateAnswered[group] ?? members[members.count - 1]
        } else {
            return .miss(.exhausted)
        }
        state.usedUpdates.insert(chosen)
        state.lastUpdateAnswered[group] = chosen
        state.updatesReplayed = entries[chosen].timelinePosition
        return .entry(chosen)
    }

    private mutating func chooseOther(_ key: ReplayRequestKey, _ digest: String) -> Choice {
        guard let group = groupByKey[digest] else {
            if let sessionID = key.sessionID, !knownSessions.contains(sessionID) { return .miss(.unknownSession) }
            return .miss(.noMatch)
        }
        let picked: Int?
        if let sessionID = key.sessionID {
            var state = sessions.removeValue(forKey: sessionID) ?? SessionState()
            picked = next(in: group, cursors: &state.cursors)
            sessions[sessionID] = state
        } else {
            picked = next(in: group, cursors: &globalCursors)
        }
        return picked.map(Choice.entry) ?? .miss(.exhausted)
    }

    /// Next member of a sequence; the last one again when exhausted (if repeating).
    private func next(in group: Int, cursors: inout [Int: Int]) -> Int? {
        let members = groups[group]
        let cursor = cursors[group] ?? 0
        if cursor < members.count {
            cursors[group] = cursor + 1
            return members[cursor]
        }
        return options.repeatsWhenExhausted ? members[members.count - 1] : nil
    }

    /// The chosen exchange could not be read back (file changed or unreadable under replay):
    /// a Klarna-shaped 500 naming it, never cached, so a later read can still succeed.
    private static func unreadableAnswer(exchangeID: Int64) -> ReplayAnswer {
        let body = KlarnaErrorBody(
            errorCode: "SESSPROXY_CASSETTE_UNREADABLE",
            errorMessages: ["Recorded exchange \(exchangeID) could not be read from the cassette."],
            correlationID: ReplayClientToken.uuidShaped(from: "sessproxy-unreadable:\(exchangeID)"))
        return ReplayAnswer(
            status: 500,
            headers: [
                HeaderField(name: "Content-Type", value: "application/json"),
                HeaderField(name: ReplayAnswer.replayHeaderName, value: String(exchangeID)),
            ],
            body: body.bytes, exchangeID: exchangeID)
    }

    // MARK: - Miss reports

    private struct Scored {
        let index: Int
        let tier: Int
        let differences: [String]
        /// Changed leaves; ranks candidates so that a whole added subtree counts for its size.
        let weight: Int
        let rejection: ReplayMissCandidate.Rejection?
    }

    /// Ranks recorded requests of the same operation (all requests when there are none): same
    /// operation and session first, then fewest differences, then recorded order.
    private func missReport(for key: ReplayRequestKey, cause: MissCause) -> ReplayMissReport {
        let sessionKnown = key.sessionID.map(knownSessions.contains) ?? true
        var pool = indicesByOperation[key.operation] ?? []
        if pool.isEmpty { pool = Array(entries.indices) }

        func tier(_ index: Int) -> Int {
            let recorded = entries[index]
            guard recorded.operation == key.operation else { return 2 }
            return key.sessionID == nil || recorded.keySessionID == key.sessionID ? 0 : 1
        }
        let ordered = pool.map { (index: $0, tier: tier($0)) }.sorted { ($0.tier, $0.index) < ($1.tier, $1.index) }
        let recordedKeys = recordedKeys(for: ordered.lazy.map(\.index))

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
        scored.sort { ($0.tier, $0.weight, $0.index) < ($1.tier, $1.weight, $1.index) }

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
        return ReplayMissReport(
            method: key.method, target: key.target, operation: key.operation, sessionID: key.sessionID,
            sessionKnown: sessionKnown, candidates: candidates)
    }

    /// Full request keys of the first `maximumDiffedBodies` distinct recorded requests among
    /// `indices`, by match key: one exchange per distinct key is read from the source (in one
    /// batch) and normalised, so a miss costs at most that many body loads however big the
    /// cassette is.
    private func recordedKeys(for indices: some Sequence<Int>) -> [String: ReplayRequestKey] {
        var wanted: [String: Int64] = [:]
        for index in indices {
            let entry = entries[index]
            guard wanted[entry.matchKey] == nil else { continue }
            guard wanted.count < Self.maximumDiffedBodies else { break }
            wanted[entry.matchKey] = entry.sourceID
        }
        let loaded = source.exchanges(ids: Array(wanted.values))
        var keys: [String: ReplayRequestKey] = [:]
        keys.reserveCapacity(wanted.count)
        for (matchKey, sourceID) in wanted {
            if let exchange = loaded[sourceID] { keys[matchKey] = matcher.key(for: exchange) }
        }
        return keys
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
        case .noMatch, .unknownSession: return nil
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
            return (["body: \(describe(recorded)) → \(describe(live))"], 1)
        }
    }

    private static func describe(_ body: ReplayBody) -> String {
        switch body {
        case .empty: return "empty"
        case .json(let text): return "JSON (\(text.utf8.count) bytes)"
        case .bytes(let bytes): return "\(bytes.count) bytes, not JSON"
        }
    }

    private static func shown(_ query: String) -> String {
        query.isEmpty ? "(none)" : query
    }
}
