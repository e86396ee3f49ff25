/// Renders a `DiffReport` as GitHub-flavoured Markdown for a pull-request comment: a verdict, a
/// count table, then one section per differing session listing its differing calls and findings.
/// Values go in code spans so that JSON and paths never turn into Markdown.
public struct MarkdownDiffRenderer: Sendable {
    public init() {}

    public func render(_ report: DiffReport) -> String {
        let summary = report.summary
        var lines: [String] = []
        lines.append("### sessproxy diff: \(code(report.aLabel)) → \(code(report.bLabel))")
        lines.append("")
        lines.append(report.isEqual ? "**Equal** — only noise differs." : "**Different** — \(ReportWording.summaryLine(summary)).")
        lines.append("")
        lines.append("| sessions | calls | same | changed | added | missing | reordered | findings |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        lines.append(
            "| \(summary.sessions) | \(summary.calls) | \(summary.same) | \(summary.changed) | \(summary.added) | "
                + "\(summary.missing) | \(summary.reordered) | \(summary.findings) |")
        for session in report.sessions where session.status != .same {
            lines.append("")
            lines.append(contentsOf: sessionLines(session))
        }
        let unchanged = report.sessions.filter { $0.status == .same }.map(ReportWording.sessionTitle)
        if !unchanged.isEmpty {
            lines.append("")
            lines.append("Unchanged: \(unchanged.joined(separator: ", ")).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func sessionLines(_ session: SessionDiff) -> [String] {
        var lines = ["#### \(ReportWording.sessionTitle(session)) — \(session.status.rawValue)"]
        let ids = [session.aSessionID.map { "A \(code($0))" }, session.bSessionID.map { "B \(code($0))" }].compactMap { $0 }
        if !ids.isEmpty {
            lines.append("")
            lines.append(ids.joined(separator: " · "))
        }
        lines.append("")
        for call in session.calls where call.alignment != .same {
            let statuses = ReportWording.statuses(call)
            lines.append(
                "- **\(call.alignment.rawValue)** \(code(call.title)) (\(ReportWording.exchangeRefs(call))"
                    + (statuses.isEmpty ? "" : ", status \(statuses)") + ")")
            for finding in call.findings {
                lines.append("  - \(ReportWording.tag(finding.kind)): \(code(ReportWording.findingText(finding)))")
            }
        }
        let unchanged = session.calls.count { $0.alignment == .same }
        if unchanged > 0 {
            lines.append("- \(ReportWording.plural(unchanged, "call")) unchanged")
        }
        return lines
    }

    /// A code span that survives backticks inside the text.
    private func code(_ text: String) -> String {
        let clean = text.replacingNewlines
        var longestRun = 0
        var run = 0
        for character in clean {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let padding = clean.hasPrefix("`") || clean.hasSuffix("`") || longestRun > 0 ? " " : ""
        return fence + padding + clean + padding + fence
    }
}
