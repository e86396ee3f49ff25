import Foundation

/// Parses HAR `startedDateTime` values: ISO 8601 with or without fractional seconds, `Z` or an
/// offset with a colon (`+01:00`, as Firefox writes). One per import, not shared across tasks.
struct HARDateParser {
    private let withFraction: ISO8601DateFormatter
    private let withoutFraction: ISO8601DateFormatter

    init() {
        withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        withoutFraction = ISO8601DateFormatter()
        withoutFraction.formatOptions = [.withInternetDateTime]
    }

    func parse(_ text: String) -> Date? {
        withFraction.date(from: text) ?? withoutFraction.date(from: text)
    }
}
