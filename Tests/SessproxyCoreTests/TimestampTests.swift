import Foundation
import Testing
@testable import SessproxyCore

@Suite struct TimestampTests {
    @Test(arguments: ["2026-11-25T13:05:58.414Z", "1999-02-28T23:59:59.999Z", "2024-02-29T00:00:00.000Z", "1970-01-01T00:00:00.000Z"])
    func fastParserAgreesWithFoundation(_ text: String) throws {
        let fast = try #require(Timestamp.parseCanonical(text))
        let foundation = try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
        #expect(abs(fast.timeIntervalSince1970 - foundation.timeIntervalSince1970) < 0.0005)
        #expect(Timestamp.format(fast) == text)
    }

    @Test func otherFormatsFallBack() {
        #expect(Timestamp.parseCanonical("2026-11-25T13:05:58Z") == nil)
        #expect(Timestamp.parseCanonical("1581-01-01T00:00:00.000Z") == nil, "Foundation's calendar before the fast path's range")
        #expect(Timestamp.parse("2026-11-25T13:05:58Z") != nil)
        #expect(Timestamp.parse("yesterday") == nil)
    }

    /// HAR files carry what browsers write: an offset with a colon (Firefox), with or without a
    /// fraction of a second.
    @Test func offsetsAndWholeSecondsAsBrowsersWriteThem() throws {
        let utc = try #require(Timestamp.parse("2024-11-20T16:05:12.345Z"))
        #expect(try #require(Timestamp.parse("2024-11-20T17:05:12.345+01:00")) == utc)
        #expect(try #require(Timestamp.parse("2024-11-20T11:05:12.345-05:00")) == utc)
        #expect(try #require(Timestamp.parse("2024-11-20T17:05:12+01:00")).timeIntervalSince1970 == 1_732_118_712)
    }

    /// The hand-written formatter against Foundation's, over dates on both sides of 1970, leap
    /// days, century years, the ends of the four-digit range and sub-millisecond fractions.
    @Test func fastFormatterAgreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, -1, 0.0004, 0.0005, 0.9996, 951_782_400, 4_107_542_400, 946_684_799.9995, -2_208_988_800.25]
        instants += [Timestamp.firstFastMillisecond / 1000, Timestamp.endFastMillisecond / 1000 - 0.001]
        for _ in 0..<5_000 {
            instants.append(Double.random(in: -12_000_000_000...250_000_000_000, using: &generator))
        }
        for seconds in instants {
            let date = Date(timeIntervalSince1970: seconds)
            let expected = Timestamp.foundationFormat((date.timeIntervalSince1970 * 1000).rounded())
            #expect(Timestamp.format(date) == expected, "\(seconds)")
        }
    }

    @Test func earlierYearsGoThroughFoundation() {
        let early = Date(timeIntervalSince1970: Timestamp.firstFastMillisecond / 1000 - 86_400)
        #expect(Timestamp.format(early) == Timestamp.foundationFormat((early.timeIntervalSince1970 * 1000).rounded()))
        #expect(Timestamp.format(early).hasPrefix("1599-12-31"))
        let julian = Date(timeIntervalSince1970: -14_000_000_000)
        #expect(Timestamp.format(julian) == Timestamp.foundationFormat((julian.timeIntervalSince1970 * 1000).rounded()))
    }
}
