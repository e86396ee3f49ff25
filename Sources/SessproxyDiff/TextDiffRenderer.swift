import SessproxyCore

/// Renders a `DiffReport` for a terminal: a verdict line, then each session that differs with its
/// differing calls and their findings. Unchanged sessions and calls are counted, not listed.
/// Colour is used only when asked for; the caller decides from the TTY and `--color`.
public struct TextDiffRenderer: Sendable {
    public var colour: Bool

    public init(colour: Bool) {
        self.colour = colour
    }

    public func render(_ report: DiffReport) -> String {
        let style = TerminalStyle(enabled: colour)
        var lines: [String] = []
        lines.append(style.bold("sessproxy diff") + "  A: \(TerminalText.visible(report.aLabel))  B: \(TerminalText.visible(report.bLabel))")
        let verdict = report.isEqual ? style.paint("Equal", .green, bold: true) : style.paint("Different", .red, bold: true)
        lines.append("\(verdict): \(ReportWording.summaryLine(report.summary))")
        for session in report.sessions {
            lines.append("")
            lines.append(contentsOf: sessionLines(session, style: style))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func sessionLines(_ session: SessionDiff, style: TerminalStyle) -> [String] {
        var header = style.bold(ReportWording.sessionTitle(session)) + " " + statusLabel(session.status, style: style)
        // Recorded text (ids, titles, values) is shown, never sent to the terminal as escape
        // sequences; only this renderer's own colours are.
        if let id = session.aSessionID { header += "  A: \(TerminalText.visible(id))" }
        if let id = session.bSessionID { header += "  B: \(TerminalText.visible(id))" }
        guard session.status != .same else {
            return [header + style.dim("  (\(ReportWording.plural(session.calls.count, "call")) unchanged)")]
        }
        var lines = [header]
        for call in session.calls where call.alignment != .same {
            let marker = Self.marker(call.alignment)
            let statuses = ReportWording.statuses(call)
            lines.append(
                "  " + paint(marker + " " + call.alignment.rawValue, call.alignment, style: style) + "  " + TerminalText.visible(call.title)
                    + style.dim("  " + ReportWording.exchangeRefs(call)) + (statuses.isEmpty ? "" : "  " + statuses))
            for finding in call.findings {
                lines.append("      " + style.paint(ReportWording.tag(finding.kind), .cyan) + "  " + TerminalText.visible(ReportWording.findingText(finding)))
            }
        }
        let unchanged = session.calls.count { $0.alignment == .same }
        if unchanged > 0 {
            lines.append("  " + style.dim("\(ReportWording.plural(unchanged, "call")) unchanged"))
        }
        return lines
    }

    private func statusLabel(_ status: SessionDiff.Status, style: TerminalStyle) -> String {
        let text = "(\(status.rawValue))"
        switch status {
        case .same: return style.paint(text, .green)
        case .changed: return style.paint(text, .yellow)
        case .added: return style.paint(text, .green)
        case .missing: return style.paint(text, .red)
        }
    }

    private func paint(_ text: String, _ alignment: CallDiff.Alignment, style: TerminalStyle) -> String {
        switch alignment {
        case .same: return text
        case .changed: return style.paint(text, .yellow)
        case .added: return style.paint(text, .green)
        case .missing: return style.paint(text, .red)
        case .reordered: return style.paint(text, .magenta)
        }
    }

    /// One character per alignment, readable without colour: `~` changed, `+` added, `-` missing, `↕` reordered.
    static func marker(_ alignment: CallDiff.Alignment) -> String {
        switch alignment {
        case .same: return "="
        case .changed: return "~"
        case .added: return "+"
        case .missing: return "-"
        case .reordered: return "↕"
        }
    }
}
