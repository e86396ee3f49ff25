import Testing
@testable import SessproxyCore

/// The list writers used for stored header lists and redaction notes give the same bytes as
/// building the document and serialising it, escapes included.
@Suite struct JSONListWriterTests {
    static let strings = ["", "plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "control \u{1}\u{1F}", "Åsa – 😀", "/slash"]

    @Test func stringsAsTheTreeWritesThem() {
        #expect(JSONSerializer.bytes(ofStrings: Self.strings) == JSONSerializer.bytes(.array(Self.strings.map { .string($0) })))
        #expect(JSONSerializer.bytes(ofStrings: [String]()) == Array("[]".utf8))
    }

    @Test func pairsAsTheTreeWritesThem() {
        let pairs = zip(Self.strings, Self.strings.reversed()).map { ($0, $1) }
        let tree = JSONValue.array(pairs.map { .array([.string($0.0), .string($0.1)]) })
        #expect(JSONSerializer.bytes(ofPairs: pairs) == JSONSerializer.bytes(tree))
        #expect(JSONSerializer.bytes(ofPairs: [(String, String)]()) == Array("[]".utf8))
    }

    @Test func storedColumnTextRoundTrips() {
        let headers = zip(Self.strings, Self.strings.reversed()).map { HeaderField(name: $0, value: $1) }
        #expect(ExchangeColumnText.headers(from: ExchangeColumnText.headers(headers)) == headers)
        #expect(ExchangeColumnText.notes(from: ExchangeColumnText.notes(Self.strings)) == Self.strings)
        #expect(ExchangeColumnText.headers(from: "not json").isEmpty)
    }
}
