/// Wording shared by the human-facing renderers, so that text and Markdown say the same thing.
enum ReportWording {
    /// `2 sessions (1 changed, 1 added), 7 calls: 4 same, 1 changed, 1 added, 1 missing, 0 reordered; 5 findings`.
    static func summaryLine(_ summary: DiffSummary) -> String {
        var sessionNotes: [String] = []
        if summary.changedSessions > 0 { sessionNotes.append("\(summary.changedSessions) changed") }
        if summary.addedSessions > 0 { sessionNotes.append("\(summary.addedSessions) added") }
        if summary.missingSessions > 0 { sessionNotes.append("\(summary.missingSessions) missing") }
        let sessions = plural(summary.sessions, "session") + (sessionNotes.isEmpty ? "" : " (\(sessionNotes.joined(separator: ", ")))")
        return "\(sessions), \(plural(summary.calls, "call")): \(summary.same) same, \(summary.changed) changed, "
            + "\(summary.added) added, \(summary.missing) missing, \(summary.reordered) reordered; \(plural(summary.findings, "finding"))"
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// `Session 2` or `Calls outside sessions`.
    static func sessionTitle(_ session: SessionDiff) -> String {
        session.index.map { "Session \($0)" } ?? "Calls outside sessions"
    }

    /// `A #12 → B #31`, `B #31`, `A #12`; `?` for an exchange that has no id.
    static func exchangeRefs(_ call: CallDiff) -> String {
        let a = call.aExchangeID.map { "A #\($0)" } ?? (call.alignment == .added ? nil : "A #?")
        let b = call.bExchangeID.map { "B #\($0)" } ?? (call.alignment == .missing ? nil : "B #?")
        return [a, b].compactMap { $0 }.joined(separator: " → ")
    }

    /// `204 → 400`, `200`.
    static func statuses(_ call: CallDiff) -> String {
        switch (call.aStatus, call.bStatus) {
        case (let a?, let b?): return a == b ? String(a) : "\(a) → \(b)"
        case (let a?, nil): return String(a)
        case (nil, let b?): return String(b)
        case (nil, nil): return ""
        }
    }

    /// Short tag for a finding kind in a list.
    static func tag(_ kind: DiffFinding.Kind) -> String {
        switch kind {
        case .status: return "status"
        case .errorMessages: return "error"
        case .amountRule: return "amount rule"
        case .requestBody: return "request"
        case .responseBody: return "response"
        case .header: return "header"
        }
    }

    /// The message of a finding with the broken rule named: `[line-total] order_lines[ref=CAP-7]: …`.
    static func findingText(_ finding: DiffFinding) -> String {
        let text = finding.message.replacingNewlines
        guard let rule = finding.rule else { return text }
        return "\(rule): \(text)"
    }
}

extension String {
    /// One line per finding, whatever the value held.
    var replacingNewlines: String {
        guard contains(where: \.isNewline) else { return self }
        return String(map { $0.isNewline ? " " : $0 })
    }
}
