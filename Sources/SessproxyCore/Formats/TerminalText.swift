/// Recorded text as a terminal may be shown it. Bodies and session ids come from the app and the
/// upstream: an escape sequence among them (`ESC ] 0 ; … BEL` sets the window title, `ESC [ 31 m`
/// colours, some terminals answer queries into the shell's input) must not reach the terminal as
/// it is. Control characters are shown as `\u001b`, the way JSON writes them.
public enum TerminalText {
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 controls but the tab, DEL, and the C1 controls (`U+009B` is a one-character `ESC [`).
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }
}
