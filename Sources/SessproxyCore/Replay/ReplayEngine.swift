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

    struct Entry: Sendable {
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

    struct ReadStep: Sendable {
        let updatesBefore: Int
        let group: Int
    }

    private struct SessionState: Sendable {
        var updatesReplayed = 0
        var cursors: [Int: Int] = [:]
        var usedUpdates: Set<Int> = []
        var lastUpdateAnswered: [Int: Int] = [:]
        /// A miss of this session went to the upstream (`--on-miss forward`): the upstream now
        /// holds its state, so the rest of it goes there too, until a create starts it over.
        var forwarded = false
    }

    private enum Choice {
        case entry(Int)
        case miss(MissCause)
    }

    enum MissCause: Sendable {
        case noMatch
        /// Every recorded answer of the sequence was served: `used` holds its entries, which
        /// the miss report names rather than an earlier request of the same shape.
        case exhausted(used: [Int])
        case notYetInTimeline(replayedUpdates: Int)
        case unknownSession
        /// The session was handed to the upstream by an earlier miss; nothing is compared.
        case sessionForwarded
    }

    public let matcher: ReplayMatcher
    /// Turns recorded pseudonyms into stand-ins that fit the answer's schema.
    public let renderer: ReplayBodyRenderer
    public let options: Options
    let entries: [Entry]
    let groups: [[Int]]
    let groupByKey: [String: Int]
    let readTimelines: [String: [ReadStep]]
    let indicesByOperation: [KlarnaOperation: [Int]]
    let knownSessions: Set<String>

    private var sessions: [String: SessionState] = [:]
    /// Whether any session was ever handed to the upstream: until one is, a request does not
    /// look its session up a second time to learn that it was not.
    private var anySessionForwarded = false
    private var globalCursors: [Int: Int] = [:]
    var answered: [Bool]
    private var answerCache: [Int: ReplayAnswer] = [:]

    /// Misses in the order they happened.
    public internal(set) var misses: [ReplayMissReport] = []
    public private(set) var hitCount = 0
    public var missCount: Int { misses.count }
    public var exchangeCount: Int { entries.count }

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
        /// The session its path names, if any.
        public var sessionID: String? { key.sessionID }
        /// Target and body as matching sees them: redacted in placeholder mode, pseudonyms
        /// collapsed, JSON canonical — safe to show, and already computed.
        public var normalisedTarget: String { key.target }
        public var normalisedBody: [UInt8] { key.body.bytes }
    }

    public static func prepare(_ request: ReplayRequest, matcher: ReplayMatcher) -> PreparedRequest {
        let key = matcher.key(for: request)
        return PreparedRequest(key: key, digest: ReplayMatchKey.digest(of: key))
    }

    /// What `decide` asks of its caller. The engine does no I/O: a server decides under its
    /// lock, performs the read this names outside it, and feeds the result back in.
    public enum Step: Sendable {
        /// A hit whose answer is ready.
        case answer(ReplayAnswer)
        /// A hit: read the recorded answer `read.sourceID`, make it ready with
        /// `read.answer(from:)`, then `remember(_:for:)` it.
        case read(AnswerRead)
        /// A miss: read the candidate exchanges `miss.sourceIDs`, then `explain(_:with:)` it.
        case explainMiss(MissExplanation)
    }

    /// One recorded answer to read.
    public struct AnswerRead: Sendable {
        let index: Int
        /// The recorded exchange this answer comes from.
        public let exchangeID: Int64
        /// What to ask the exchange source for.
        public let sourceID: Int64
        let sessionID: String?
        let operation: KlarnaOperation
        let renderer: ReplayBodyRenderer

        /// The answer made ready (stand-ins rendered) from what was read, or nil when it could
        /// not be read: pure, so that a server does this work outside its lock.
        public func answer(from response: RecordedResponse?) -> ReplayAnswer? {
            response.map {
                ReplayAnswer(recorded: $0, exchangeID: exchangeID, operation: operation, sessionID: sessionID, renderer: renderer)
            }
        }
    }

    /// Decides and advances the replay state without reading anything.
    public mutating func decide(_ prepared: PreparedRequest) -> Step {
        let key = prepared.key
        let digest = prepared.digest
        if anySessionForwarded, let session = key.sessionID, sessions[session]?.forwarded == true {
            return .explainMiss(MissExplanation(key: key, cause: .sessionForwarded, ordered: [], wanted: [:]))
        }
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
            return .read(answerRead(index))
        case .miss(let cause):
            return .explainMiss(missExplanation(for: key, cause: cause))
        }
    }

    /// A miss of `prepared`'s session was answered by the upstream (`--on-miss forward`): from
    /// here on the upstream holds that session's state, so its later requests are misses that
    /// go there too rather than recorded answers that would not reflect it. A create answered
    /// with the session starts it over. A request without a session changes nothing.
    public mutating func handedToUpstream(_ prepared: PreparedRequest) {
        guard let session = prepared.key.sessionID else { return }
        sessions[session, default: SessionState()].forwarded = true
        anySessionForwarded = true
    }

    /// The answer to send for a read: the recorded answer made ready (stand-ins rendered), kept
    /// for the next hit on the same exchange, or a 500 naming the exchange when it could not be
    /// read (not kept, so a later read can still succeed).
    public mutating func remember(_ answer: ReplayAnswer?, for read: AnswerRead) -> ReplayAnswer {
        guard let answer else { return Self.unreadableAnswer(exchangeID: read.exchangeID) }
        if answerCache.count >= Self.maximumCachedAnswers { answerCache.removeAll(keepingCapacity: true) }
        answerCache[read.index] = answer
        return answer
    }

    private func answerRead(_ index: Int) -> AnswerRead {
        let entry = entries[index]
        return AnswerRead(
            index: index, exchangeID: entry.exchangeID, sourceID: entry.sourceID, sessionID: entry.sessionID, operation: entry.operation,
            renderer: renderer)
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
            return .miss(.exhausted(used: members))
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
            return next(in: step.group, cursors: &state.cursors).map(Choice.entry) ?? .miss(.exhausted(used: groups[step.group]))
        }
        if let step = steps.last(where: { $0.updatesBefore < replayed }) {
            let members = groups[step.group]
            if options.repeatsWhenExhausted { return .entry(members[members.count - 1]) }
            guard (state.cursors[step.group] ?? 0) < members.count else { return .miss(.exhausted(used: members)) }
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
            return .miss(.exhausted(used: members.filter { state.usedUpdates.contains($0) }))
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
        return picked.map(Choice.entry) ?? .miss(.exhausted(used: groups[group]))
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
    static func unreadableAnswer(exchangeID: Int64) -> ReplayAnswer {
        let body = KlarnaErrorBody(
            errorCode: SessproxyErrorCode.cassetteUnreadable,
            errorMessages: ["Recorded exchange \(exchangeID) could not be read from the cassette."],
            correlationID: ReplayClientToken.uuidShaped(from: "sessproxy-unreadable:\(exchangeID)"))
        return ReplayAnswer(
            status: 500, headers: body.answerHeaders([HeaderField(name: ReplayAnswer.replayHeaderName, value: String(exchangeID))]),
            body: body.bytes, exchangeID: exchangeID)
    }

}
