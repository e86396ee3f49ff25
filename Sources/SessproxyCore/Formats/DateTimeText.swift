/// Recognises ISO-8601 date and date-time strings (`2024-05-01`, `2024-05-01T12:30:00.123Z`,
/// `2024-05-01 12:30:00+02:00`), fields checked: a month is 1–12, an hour under 24. Diff treats
/// such values as noise (creation and expiry times differ between any two recordings), and a
/// redacted one gets the date or timestamp format hint (`FieldFormat.evident`). Hand-written: it
/// runs on every string of every body, in one pass over its bytes.
public enum DateTimeText {
    public static func isDateTime(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= 10, utf8.count <= 40, let first = utf8.first, isDigit(first) else { return false }
        return isDateTime(Array(utf8))
    }

    /// A date alone (`2024-05-01`).
    static func isDate(_ bytes: [UInt8]) -> Bool {
        bytes.count == 10 && isDateTime(bytes)
    }

    /// A date with a time (`2024-05-01T12:30`) then anything (seconds, a fraction, a zone in
    /// any spelling: ` UTC` too), as a format hint reads a value.
    static func isTimestamp(_ bytes: [UInt8]) -> Bool {
        (16...40).contains(bytes.count) && isDateTime(Array(bytes.prefix(16)))
    }

    static func isDateTime(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 10, bytes.count <= 40, isDigit(bytes[0]) else { return false }
        var scanner = Scanner(bytes: bytes)
        guard let _ = scanner.number(digits: 4), scanner.take(UInt8(ascii: "-")),
            let month = scanner.number(digits: 2), (1...12).contains(month), scanner.take(UInt8(ascii: "-")),
            let day = scanner.number(digits: 2), (1...31).contains(day)
        else { return false }
        if scanner.atEnd { return true }
        guard scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.take(UInt8(ascii: " ")) else { return false }
        guard let hour = scanner.number(digits: 2), hour < 24, scanner.take(UInt8(ascii: ":")),
            let minute = scanner.number(digits: 2), minute < 60
        else { return false }
        if scanner.take(UInt8(ascii: ":")) {
            guard let second = scanner.number(digits: 2), second <= 60 else { return false }
            if scanner.take(UInt8(ascii: ".")) || scanner.take(UInt8(ascii: ",")) {
                guard scanner.digitRun() > 0 else { return false }
            }
        }
        if scanner.atEnd { return true }
        if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) { return scanner.atEnd }
        guard scanner.take(UInt8(ascii: "+")) || scanner.take(UInt8(ascii: "-")),
            let offsetHours = scanner.number(digits: 2), offsetHours < 24
        else { return false }
        if scanner.atEnd { return true }
        _ = scanner.take(UInt8(ascii: ":"))
        guard let offsetMinutes = scanner.number(digits: 2), offsetMinutes < 60 else { return false }
        return scanner.atEnd
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func number(digits: Int) -> Int? {
            guard index + digits <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let byte = bytes[index + offset]
                guard DateTimeText.isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }

        mutating func digitRun() -> Int {
            let start = index
            while index < bytes.count, DateTimeText.isDigit(bytes[index]) { index += 1 }
            return index - start
        }
    }
}
