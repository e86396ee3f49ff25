/// Counts over a whole report, for a one-line verdict and for scripts.
public struct DiffSummary: Sendable, Equatable {
    /// Session entries, not counting the group of calls outside sessions.
    public var sessions: Int
    public var changedSessions: Int
    public var addedSessions: Int
    public var missingSessions: Int
    public var calls: Int
    public var same: Int
    public var changed: Int
    public var added: Int
    public var missing: Int
    public var reordered: Int
    public var findings: Int
    public var findingsByKind: [DiffFinding.Kind: Int]

    public init(sessions: [SessionDiff]) {
        let scoped = sessions.filter { !$0.isUnscoped }
        self.sessions = scoped.count
        changedSessions = scoped.count { $0.status == .changed }
        addedSessions = scoped.count { $0.status == .added }
        missingSessions = scoped.count { $0.status == .missing }
        let calls = sessions.flatMap(\.calls)
        self.calls = calls.count
        same = calls.count { $0.alignment == .same }
        changed = calls.count { $0.alignment == .changed }
        added = calls.count { $0.alignment == .added }
        missing = calls.count { $0.alignment == .missing }
        reordered = calls.count { $0.alignment == .reordered }
        var byKind: [DiffFinding.Kind: Int] = [:]
        for finding in calls.lazy.flatMap(\.findings) { byKind[finding.kind, default: 0] += 1 }
        findingsByKind = byKind
        findings = byKind.values.reduce(0, +)
    }
}
