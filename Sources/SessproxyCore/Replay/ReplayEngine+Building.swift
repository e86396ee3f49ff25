extension ReplayEngine {
    /// An engine over a cassette's index: it holds no bodies and reads none; whoever drives it
    /// reads what `decide` asks for by `exchangeID`. The entries' match keys must have been
    /// computed with `rules` (see `ReplayMatchKey.fingerprint`); a create's session comes from
    /// the index (a refused create has none), never from its body.
    public init(index: [ReplayIndexEntry], rules: RedactionRules = .klarna, options: Options = Options()) {
        var builder = Builder(matcher: ReplayMatcher(rules: rules), options: options, expectedCount: index.count)
        builder.add(index)
        self = builder.build()
    }

    /// Builds an engine from index entries given in recorded order, in as many parts as they
    /// come: a store can hand over each part as it reads it, so reading the index and building
    /// overlap instead of following each other. One pass with dictionaries; no body is read.
    public struct Builder: Sendable {
        let matcher: ReplayMatcher
        let options: Options
        /// The source knows a row by its position (exchanges held in memory, whose ids may be
        /// missing or repeated), not by its exchange id.
        let sourceByPosition: Bool
        var entries: [Entry] = []
        var groups: [[Int]] = []
        var groupByKey: [String: Int] = [:]
        var readTimelines: [String: [ReadStep]] = [:]
        var indicesByOperation: [KlarnaOperation: [Int]] = [:]
        var knownSessions = Set<String>()
        var updatesSeen: [String: Int] = [:]

        public init(matcher: ReplayMatcher, options: Options = Options(), expectedCount: Int = 0, sourceByPosition: Bool = false) {
            self.matcher = matcher
            self.options = options
            self.sourceByPosition = sourceByPosition
            entries.reserveCapacity(expectedCount)
            groups.reserveCapacity(expectedCount / 2)
            groupByKey.reserveCapacity(expectedCount / 2)
            readTimelines.reserveCapacity(expectedCount / 2)
            knownSessions.reserveCapacity(expectedCount / 4)
            updatesSeen.reserveCapacity(expectedCount / 4)
        }

        /// Adds the next entries, in recorded order.
        public mutating func add<Entries: Sequence<ReplayIndexEntry>>(_ rows: Entries) {
            for row in rows { add(row) }
        }

        /// Adds the next entries, routed already, in recorded order.
        public mutating func add(_ part: RoutedPart) {
            for (row, route) in zip(part.rows, part.routes) { add(row, route: route) }
        }

        /// Adds the next entry in recorded order.
        public mutating func add(_ row: ReplayIndexEntry) {
            add(row, route: matcher.route(method: row.method, target: row.target))
        }

        /// Entries with their routes worked out. Routing is the costliest step of adding an
        /// entry and needs nothing of the builder, so a reader can route one part on its own
        /// thread while the builder adds the previous one.
        public struct RoutedPart: Sendable {
            let rows: [ReplayIndexEntry]
            let routes: [RouteClassification]

            public init(_ rows: [ReplayIndexEntry], matcher: ReplayMatcher) {
                self.rows = rows
                self.routes = rows.map { matcher.route(method: $0.method, target: $0.target) }
            }
        }

        private mutating func add(_ row: ReplayIndexEntry, route: RouteClassification) {
            let index = entries.count
            let sourceID = sourceByPosition ? Int64(index) : row.exchangeID
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
                Self.appendRead(index, at: position, to: &readTimelines[key, default: []], groups: &groups)
            case .create, .other:
                appendToGroup(key, index)
            }
            if let sessionID { knownSessions.insert(sessionID) }
            indicesByOperation[route.operation, default: []].append(index)
            entries.append(Entry(
                exchangeID: row.exchangeID, sourceID: sourceID, matchKey: key, operation: route.operation,
                keySessionID: route.sessionID, sessionID: sessionID, timelinePosition: position))
        }

        private mutating func appendToGroup(_ key: String, _ index: Int) {
            if let group = groupByKey[key] {
                groups[group].append(index)
            } else {
                groupByKey[key] = groups.count
                groups.append([index])
            }
        }

        private static func appendRead(_ index: Int, at position: Int, to steps: inout [ReadStep], groups: inout [[Int]]) {
            if let last = steps.last, last.updatesBefore == position {
                groups[last.group].append(index)
            } else {
                steps.append(ReadStep(updatesBefore: position, group: groups.count))
                groups.append([index])
            }
        }

        /// The engine over everything added.
        public func build() -> ReplayEngine {
            ReplayEngine(building: self)
        }
    }

    private init(building builder: Builder) {
        self.matcher = builder.matcher
        self.renderer = ReplayBodyRenderer(rules: builder.matcher.rules)
        self.options = builder.options
        self.entries = builder.entries
        self.groups = builder.groups
        self.groupByKey = builder.groupByKey
        self.readTimelines = builder.readTimelines
        self.indicesByOperation = builder.indicesByOperation
        self.knownSessions = builder.knownSessions
        self.answered = Array(repeating: false, count: builder.entries.count)
    }
}
