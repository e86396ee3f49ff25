import Rainbow

/// Colours for the text renderer, using Rainbow's colour and style codes. The escape sequences are
/// written here rather than through Rainbow's `String` extensions because those consult process-wide
/// switches (TTY detection, `NO_COLOR`); the caller has already decided, and output must depend
/// only on the report and that decision.
struct TerminalStyle: Sendable {
    let enabled: Bool

    func paint(_ text: String, _ color: NamedColor, bold: Bool = false) -> String {
        guard enabled, !text.isEmpty else { return text }
        var codes = color.value
        if bold { codes = Style.bold.value + codes }
        return "\u{1B}[" + codes.map(String.init).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }

    func bold(_ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        return "\u{1B}[" + Style.bold.value.map(String.init).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }

    func dim(_ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        return "\u{1B}[" + Style.dim.value.map(String.init).joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }
}
