import Foundation

/// ISO-8601 UTC with milliseconds (`2026-11-25T13:05:58.414Z`), the text form of every time
/// sessproxy writes: cassette rows, the fleet, HAR, the inspector. Formatting and parsing are
/// hand-written for this one form, because the cassette writer formats one per row on its commit
/// path and loading a cassette parses one per row; Foundation's ISO-8601 style took ~20 µs for
/// each. Anything else goes through Foundation: other forms, and years outside 1600–9999 (the
/// hand-written code is proleptic Gregorian, Foundation's calendar is Julian before 1582).
public enum Timestamp {
    /// Rounded to the nearest millisecond.
    public static func format(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds >= firstFastMillisecond, milliseconds < endFastMillisecond else { return foundationFormat(milliseconds) }
        let total = Int64(milliseconds)
        let days = total >= 0 ? total / 86_400_000 : (total - 86_399_999) / 86_400_000
        var rest = total - days * 86_400_000
        let (year, month, day) = civilDate(daysSince1970: days)
        let millis = rest % 1000
        rest /= 1000
        let second = rest % 60
        rest /= 60
        let minute = rest % 60
        let hour = rest / 60
        var bytes = Array("0000-00-00T00:00:00.000Z".utf8)
        let fields: [(value: Int64, offset: Int, digits: Int)] = [
            (year, 0, 4), (month, 5, 2), (day, 8, 2), (hour, 11, 2), (minute, 14, 2), (second, 17, 2), (millis, 20, 3),
        ]
        for field in fields {
            var value = field.value
            for index in stride(from: field.offset + field.digits - 1, through: field.offset, by: -1) {
                bytes[index] = UInt8(truncatingIfNeeded: 48 + value % 10)
                value /= 10
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The canonical form first, then Foundation's ISO-8601 with and without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let fast = parseCanonical(text) { return fast }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` only.
    public static func parseCanonical(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
                bytes[19] == 0x2E, bytes[23] == 0x5A
            else { return nil }
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    let digit = Int(bytes[index]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
                let minute = number(14..<16), let second = number(17..<19), let millis = number(20..<23),
                year >= 1600, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
            else { return nil }
            let days = daysSince1970(year: year, month: month, day: day)
            let totalMillis = (days * 86400 + hour * 3600 + minute * 60 + second) * 1000 + millis
            // A tenth of a microsecond above the exact value, so that code that truncates to
            // milliseconds (Foundation's formatter does) reads back the same millisecond, where
            // the nearest `Double` of the exact value falls just below it.
            return Date(timeIntervalSince1970: Double(totalMillis) / 1000 + 1e-7)
        }
    }

    /// 1600-01-01 and 10000-01-01: the fast path's range.
    static let firstFastMillisecond = Double(daysSince1970(year: 1600, month: 1, day: 1)) * 86_400_000
    static let endFastMillisecond = Double(daysSince1970(year: 10000, month: 1, day: 1)) * 86_400_000

    static func foundationFormat(_ milliseconds: Double) -> String {
        // Foundation truncates to milliseconds; half a millisecond up makes that a rounding.
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(Date(timeIntervalSince1970: (milliseconds + 0.5) / 1000))
    }

    /// Days from the civil date, proleptic Gregorian (Howard Hinnant's `days_from_civil`).
    static func daysSince1970(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// The civil date of a day count (Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719468
        let era = (shifted >= 0 ? shifted : shifted - 146096) / 146097
        let dayOfEra = shifted - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
