import Foundation
import SessproxyCore
import Testing
@testable import SessproxyStore

/// The inspector's pages of a cassette: free text scans the id range in two halves at once and
/// still pages in id order, across the halves, after or before any cursor.
@Suite struct CassetteBrowsingTests {
    /// Twenty exchanges; every third one's answer says `Needle <n>`, the others `hay`.
    static func needlesEveryThird() async throws -> Cassette {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = (1...20).map { n in
            var exchange = CassetteTests.sample(n)
            exchange.responseBody = Array((n % 3 == 0 ? #"{"note":"Needle \#(n)"}"# : #"{"note":"hay"}"#).utf8)
            return exchange
        }
        _ = try await cassette.insert(exchanges)
        return cassette
    }

    @Test func freeTextPagesInIDOrderAcrossTheScannedHalves() async throws {
        let cassette = try await Self.needlesEveryThird()
        let filter = ExchangeFilter(text: "needle")
        #expect(try cassette.summaries(filter: filter, from: .after(nil), limit: 10).map(\.id) == [3, 6, 9, 12, 15, 18])
        #expect(try cassette.summaries(filter: filter, from: .after(nil), limit: 4).map(\.id) == [3, 6, 9, 12])
        #expect(try cassette.summaries(filter: filter, from: .after(9), limit: 2).map(\.id) == [12, 15])
        #expect(try cassette.summaries(filter: filter, from: .after(18), limit: 5).isEmpty)
        #expect(try cassette.summaries(filter: ExchangeFilter(text: "absent"), from: .after(nil), limit: 5).isEmpty)
        let empty = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        #expect(try empty.summaries(filter: filter, from: .after(nil), limit: 5).isEmpty)
    }

    @Test func pagesBackFromTheNewestInIDOrderWithAndWithoutFreeText() async throws {
        let cassette = try await Self.needlesEveryThird()
        let needle = ExchangeFilter(text: "needle")
        #expect(try cassette.summaries(filter: needle, from: .before(nil), limit: 4).map(\.id) == [9, 12, 15, 18])
        #expect(try cassette.summaries(filter: needle, from: .before(9), limit: 4).map(\.id) == [3, 6])
        #expect(try cassette.summaries(filter: needle, from: .before(3), limit: 4).isEmpty)
        #expect(try cassette.summaries(filter: needle, from: .before(nil), limit: 1).map(\.id) == [18], "the upper half comes first")
        #expect(try cassette.summaries(filter: ExchangeFilter(), from: .before(nil), limit: 3).map(\.id) == [18, 19, 20])
        #expect(try cassette.summaries(filter: ExchangeFilter(), from: .before(2), limit: 3).map(\.id) == [1])
        #expect(try cassette.summaries(filter: ExchangeFilter(), from: .before(.min), limit: 3).isEmpty)
        #expect(try cassette.summaries(filter: needle, from: .after(.max), limit: 3).isEmpty)
        #expect(try cassette.summaries(filter: needle, from: .before(.min), limit: 3).isEmpty)
    }

    /// The list (SQL `LIKE`) and the live feed (`ExchangeFilter.matches`) read free text alike:
    /// ASCII letters in either case, other letters only as written.
    @Test func freeTextMatchesInSQLAsTheLiveFeedDoes() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        var exchange = CassetteTests.sample(1)
        exchange.responseBody = Array(#"{"error_messages":["Bad value: Straße Müller, café\#u{301}"]}"#.utf8)
        _ = try await cassette.insert([exchange])
        let stored = try #require(cassette.allExchanges().first)
        #expect(String(decoding: stored.responseBody, as: UTF8.self).unicodeScalars.contains("\u{301}"), "the combining mark is stored as it is")
        for (text, expected) in [("bad VALUE", true), ("straße", true), ("STRASSE", false), ("MÜLLER", false), ("Müller", true), ("mÜller", false), ("Bad%\u{301}", false)] {
            let filter = ExchangeFilter(text: text)
            #expect(try !cassette.summaries(filter: filter, from: .after(nil), limit: 5).isEmpty == expected, "SQL, \(text)")
            #expect(filter.matches(stored) == expected, "live, \(text)")
        }
    }

    /// Bodies as Python (`\u00fc`), PHP (`\/` and `\u00fc`), Jackson (`\u00FC`), Go (`\u003c`) and any encoder
    /// (`\"`) wrote them: free text finds the decoded text in each, in SQL as in the live feed,
    /// and the path only as typed.
    @Test func freeTextFindsJSONEscapedSpellings() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let bodies = [
            #"{"family_name":"M\u00fcller"}"#,
            #"{"confirmation":"https:\/\/shop.example.com\/k\u00f6ln?sid=1"}"#,
            #"{"name":"M\u00FCller-\ud83d\ude00"}"#,
            #"{"note":"size 42\" \\ wide"}"#,
            #"{"family_name":"Müller"}"#,
            #"{"note":"a \u003cb\u003e \u0026 c"}"#,
        ]
        for (index, body) in bodies.enumerated() {
            var exchange = CassetteTests.sample(index + 1)
            exchange.requestBody = Array(body.utf8)
            exchange.responseBody = Array("{}".utf8)
            _ = try await cassette.insert([exchange])
        }
        let stored = try cassette.allExchanges()
        for (text, expected) in [
            ("Müller", [1, 3, 5]), ("müller", [1, 3, 5]), ("shop.example.com/köln", [2]), ("https://shop", [2]),
            ("Müller-😀", [3]), (#"42" \ wide"#, [4]), ("Mueller", []), (#"M\u00fcller"#, [1, 3]), ("<b> & c", [6]),
        ] as [(String, [Int64])] {
            let filter = ExchangeFilter(text: text)
            #expect(try cassette.summaries(filter: filter, from: .after(nil), limit: 10).map(\.id) == expected, "SQL, \(text)")
            #expect(stored.filter(filter.matches).map(\.id) == expected, "live, \(text)")
        }
    }

    /// Paths are stored as sent, percent-encoded: free text finds them by the decoded text too,
    /// with a space as `%20` or `+`, in SQL as in the live feed.
    @Test func freeTextFindsPercentEncodedPaths() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        for (index, target) in ["/payments/v1/sessions?name=J%C3%BCrgen+Smith", "/payments/v1/sessions?note=a%20b%22c", "/payments/v1/sessions?name=J%c3%bcrgen"].enumerated() {
            var exchange = CassetteTests.sample(index + 1)
            exchange.target = target
            _ = try await cassette.insert([exchange])
        }
        let stored = try cassette.allExchanges()
        for (text, expected) in [("Jürgen", [1, 3]), ("jürgen smith", [1]), (#"a b"c"#, [2]), ("Jurgen", [])] as [(String, [Int64])] {
            let filter = ExchangeFilter(text: text)
            #expect(try cassette.summaries(filter: filter, from: .after(nil), limit: 10).map(\.id) == expected, "SQL, \(text)")
            #expect(stored.filter(filter.matches).map(\.id) == expected, "live, \(text)")
        }
    }
}
