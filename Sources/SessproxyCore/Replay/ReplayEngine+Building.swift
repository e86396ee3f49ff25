extension ReplayEngine {
    /// An engine over exchanges held in memory; keys are computed from their bodies here.
    /// Creates learn their session from their response body here (the bodies are at hand).
    public init(exchanges: [RecordedExchange], rules: RedactionRules = .klarna, options: Options = Options()) {
        let matcher = ReplayMatcher(rules: rules)
        let rows = exchanges.enumerated().map { index, exchange in
            let isCreate = matcher.route(method: exchange.method, target: exchange.target).operation == .create
            let sessionID = exchange.sessionID ?? (isCreate ? KlarnaRouteClassifier.sessionID(fromCreateResponse: exchange.responseBody) : nil)
            return ReplayIndexEntry(
                exchangeID: exchange.id ?? Int64(index + 1), sessionID: sessionID, method: exchange.method,
                target: exchange.target, matchKey: matcher.matchKey(for: exchange))
        }
        self.init(
            rows: rows, sourceByPosition: true, inMemory: ReplayMemorySource(exchanges: exchanges), matcher: matcher, options: options)
    }

    /// An engine over a cassette's index: it holds no bodies and reads none; whoever drives it
    /// reads what `decide` asks for by `exchangeID`. The entries' match keys must have been
    /// computed with `rules` (see `ReplayMatchKey.fingerprint`); a create's session comes from
    /// the index (a refused create has none), never from its body.
    public init(index: [ReplayIndexEntry], rules: RedactionRules = .klarna, options: Options = Options()) {
        self.init(rows: index, sourceByPosition: false, inMemory: nil, matcher: ReplayMatcher(rules: rules), options: options)
    }

    /// `sourceByPosition`: the source knows a row by its position (exchanges held in memory,
    /// whose ids may be missing or repeated), not by its exchange id.
    init(
        rows: [ReplayIndexEntry], sourceByPosition: Bool, inMemory: ReplayMemorySource?, matcher: ReplayMatcher, options: Options
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
        self.inMemory = inMemory
        self.entries = entries
        self.groups = groups
        self.groupByKey = groupByKey
        self.readTimelines = readTimelines
        self.indicesByOperation = indicesByOperation
        self.knownSessions = knownSessions
        self.answered = Array(repeating: false, count: entries.count)
    }
}
