import SessproxyCore

/// Compares two recordings of the same app flow: sessions lined up by order of creation, calls
/// lined up by operation inside each session, bodies compared semantically with the noise that
/// differs on every run taken out, and Klarna's amount rules checked on what B sent.
public enum RecordingDiff {
    /// `a` and `b` are the exchanges of two cassettes in recorded order.
    public static func compare(
        _ a: [RecordedExchange], _ b: [RecordedExchange], options: DiffOptions = .init(), labels: (String, String) = ("A", "B")
    ) -> DiffReport {
        let left = SessionGrouping(a)
        let right = SessionGrouping(b)
        var sessions: [SessionDiff] = []
        sessions.reserveCapacity(max(left.sessions.count, right.sessions.count) + 1)
        for index in 0..<max(left.sessions.count, right.sessions.count) {
            let aGroup = index < left.sessions.count ? left.sessions[index] : nil
            let bGroup = index < right.sessions.count ? right.sessions[index] : nil
            sessions.append(compareGroup(index: index + 1, aGroup, bGroup, options: options))
        }
        if !left.unscoped.exchanges.isEmpty || !right.unscoped.exchanges.isEmpty {
            sessions.append(compareGroup(
                index: nil, left.unscoped.exchanges.isEmpty ? nil : left.unscoped,
                right.unscoped.exchanges.isEmpty ? nil : right.unscoped, options: options))
        }
        return DiffReport(
            aLabel: labels.0, bLabel: labels.1, ignoredPaths: options.bodyNoise.map(\.description), sessions: sessions)
    }

    private static func compareGroup(index: Int?, _ a: SessionGrouping.Group?, _ b: SessionGrouping.Group?, options: DiffOptions) -> SessionDiff {
        let aCalls = a?.exchanges ?? []
        let bCalls = b?.exchanges ?? []
        let comparator = ExchangeComparator(
            options: options, filter: NoiseFilter(patterns: options.bodyNoise, sessionIDs: [a?.sessionID, b?.sessionID]))
        let steps = SequenceAligner.align(aCalls.map(alignmentKey), bCalls.map(alignmentKey))
        let calls = steps.map { step in
            comparator.compare(step.a.map { aCalls[$0] }, step.b.map { bCalls[$0] }, moved: step.moved)
        }
        let status: SessionDiff.Status
        if a == nil {
            status = .added
        } else if b == nil {
            status = .missing
        } else {
            status = calls.allSatisfy { $0.alignment == .same } ? .same : .changed
        }
        return SessionDiff(index: index, aSessionID: a?.sessionID, bSessionID: b?.sessionID, status: status, calls: calls)
    }

    /// Calls line up when they do the same thing to the same kind of resource.
    private static func alignmentKey(_ exchange: RecordedExchange) -> String {
        "\(exchange.operation.rawValue) \(exchange.method.uppercased()) \(PathTemplate.make(for: exchange))"
    }
}
