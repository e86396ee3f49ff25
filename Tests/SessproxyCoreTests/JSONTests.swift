import Testing
@testable import SessproxyCore

@Suite struct JSONTests {
    @Test func parsesAndKeepsNumberLexemesAndKeyOrder() throws {
        let json = try JSONParser.parse(#"{"b": 9007199254740993, "a": [1.50, -0, 2e3], "s": "x\u00e9\n"}"#)
        #expect(json["b"]?.int64Value == 9_007_199_254_740_993)
        #expect(JSONSerializer.string(json) == #"{"b":9007199254740993,"a":[1.50,-0,2e3],"s":"xé\n"}"#)
    }

    @Test func canonicalFormIgnoresKeyOrderAndWhitespace() throws {
        let jackson = try JSONParser.parse("{\n  \"error_code\" : \"BAD_VALUE\",\n  \"correlation_id\" : \"c\"\n}")
        let compact = try JSONParser.parse(#"{"correlation_id":"c","error_code":"BAD_VALUE"}"#)
        #expect(jackson.canonicalText == compact.canonicalText)
        #expect(jackson.canonicalText == #"{"correlation_id":"c","error_code":"BAD_VALUE"}"#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "tru", "{\"a\":1}x", "\"\u{01}\"", "[\"\\ud800\"]"])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func prettyOutputIsSortedAndIndented() throws {
        let json = try JSONParser.parse(#"{"b":[1],"a":{}}"#)
        #expect(JSONSerializer.string(json, style: .pretty) == "{\n  \"a\": {},\n  \"b\": [\n    1\n  ]\n}")
    }
}

@Suite struct CanonicalDuplicateKeyTests {
    /// Canonical key order is UTF-8 byte order, also for keys that share long prefixes, are
    /// prefixes of each other, are empty or are not ASCII.
    @Test func canonicalKeyOrderIsByteOrder() throws {
        let keys = ["order_amount", "order_amount_x", "order_amoun", "order_lines", "", "é", "e", "z\u{0}", "z", "Ä", "merchant_reference2",
                    "merchant_reference1", "merchant_urls", "a\u{1F600}", "ab", "\u{7F}", "billing_address", "billing_addresses"]
        let value = JSONValue.object(keys.enumerated().map { JSONMember(key: $1, value: .number(String($0))) })
        let sortedKeys = try #require(JSONParser.parse(value.canonicalText).objectMembers).map(\.key)
        let expected = keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(sortedKeys == expected)
    }

    @Test func canonicalFormKeepsTheLastOfDuplicateKeysInSortedOrder() throws {
        let json = try JSONParser.parse(#"{"b":1,"a":2,"b":3,"c":{"z":1,"y":2}}"#)
        #expect(json.canonicalText == #"{"a":2,"b":3,"c":{"y":2,"z":1}}"#)
        #expect(json["b"] == 3)
    }
}

/// Keys that Swift's string equality holds equal (canonically equivalent, different bytes)
/// count as one key in the sorted styles, as they do for a lookup: one member is written.
@Suite struct CanonicalEquivalentKeyTests {
    @Test func equivalentKeysAreOneKeyInTheSortedStyles() {
        let decomposed = "abcdefgha\u{301}", precomposed = "abcdefgh\u{E1}"
        #expect(Array(decomposed.utf8) != Array(precomposed.utf8))
        let value = JSONValue.object([JSONMember(key: decomposed, value: 1), JSONMember(key: precomposed, value: 2)])
        #expect(value.canonicalText == "{\"abcdefgh\u{E1}\":2}")
        #expect(JSONSerializer.string(value, style: .compact) == "{\"abcdefgha\u{301}\":1,\"abcdefgh\u{E1}\":2}")
    }
}

@Suite struct JSONEscapingTests {
    /// The eight-bytes-at-a-time test agrees with a byte-by-byte one at every length and
    /// position, for each byte value: controls, quote and backslash escape, the rest (also
    /// 0x7F and UTF-8 continuation bytes) does not.
    @Test func wordAtATimeEscapeTestAgreesWithByteByByte() {
        for length in 1...19 {
            for position in 0..<length {
                for byte in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = byte
                    let expected = byte < 0x20 || byte == 0x22 || byte == 0x5C
                    let found = bytes.withUnsafeBufferPointer(JSONSerializer.needsEscaping)
                    if found != expected { Issue.record("byte \(byte) at \(position) of \(length): \(found)") }
                }
            }
        }
    }

    @Test func stringsWithEscapesRoundTripInEveryStyle() throws {
        let text = "line\none \"quoted\" back\\slash\ttab \u{01} café 😀 and a long plain tail without escapes"
        for style in [JSONSerializer.Style.compact, .canonical, .pretty] {
            let bytes = JSONSerializer.bytes(.object([JSONMember(key: "k\"ey", value: .string(text))]), style: style)
            #expect(try JSONParser.parse(bytes) == .object([JSONMember(key: "k\"ey", value: .string(text))]))
        }
    }
}

/// The serializer's output buffer grows while it writes: documents far past its first
/// allocation, and single strings longer than all of it, come out byte for byte as a plain
/// reference writer spells them.
@Suite struct JSONSerializerGrowthTests {
    /// Compact JSON written the obvious way, one `String` at a time.
    func reference(_ value: JSONValue) -> String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let lexeme): return lexeme
        case .string(let text): return quoted(text)
        case .array(let items): return "[" + items.map(reference).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { quoted($0.key) + ":" + reference($0.value) }.joined(separator: ",") + "}"
        }
    }

    @Test func largeDocumentsComeOutAsTheReferenceWritesThem() throws {
        let long = String(repeating: "0123456789abcdef", count: 4_500) + "\u{1F}\"end"
        let lines = (0..<2_000).map { index in
            JSONValue.object([
                JSONMember(key: "reference", value: .string("SKU-\(index)")),
                JSONMember(key: "quantity", value: .number(String(index))),
                JSONMember(key: "note", value: index % 7 == 0 ? .string("tab\there \u{01}") : .null),
                JSONMember(key: "flags", value: .array([.bool(index % 2 == 0), .object([])])),
            ])
        }
        let document = JSONValue.object([
            JSONMember(key: "long", value: .string(long)),
            JSONMember(key: "order_lines", value: .array(lines)),
            JSONMember(key: "empty", value: .array([])),
        ])
        let bytes = JSONSerializer.bytes(document)
        #expect(bytes.count > 100_000)
        #expect(String(decoding: bytes, as: UTF8.self) == reference(document))
        #expect(try JSONParser.parse(JSONSerializer.bytes(document, style: .pretty)).canonicalText == document.canonicalText)
        #expect(JSONSerializer.bytes(ofStrings: [long, "", "a\"b"]) == Array(reference(.array([.string(long), .string(""), .string("a\"b")])).utf8))
    }
}

@Suite struct KeyTableTests {
    @Test func findsEveryKeyAndNothingElse() {
        let keys = (0..<200).map { "key_\($0)" } + ["", "a", "é", "order_lines", "order_amount", "total_amount", "total_tax_amount"]
        let table = KeyTable(keys.enumerated().map { ($1, $0) })
        #expect(table.count == keys.count)
        for (offset, key) in keys.enumerated() { #expect(table[key] == offset) }
        for missing in ["key_200", "b", "order_line", "Order_lines", "total_amount ", "ké"] { #expect(table[missing] == nil) }
    }

    @Test func theLastOfARepeatedKeyWinsAsInADictionary() {
        let table = KeyTable([("a", 1), ("b", 2), ("a", 3)])
        #expect(table["a"] == 3)
        #expect(table["b"] == 2)
        #expect(table.count == 2)
    }

    @Test func anEmptyTableFindsNothing() {
        let table = KeyTable<Int>()
        #expect(table.isEmpty)
        #expect(table["a"] == nil)
        #expect(table[""] == nil)
    }
}

@Suite struct JSONPathIndexTests {
    func location(_ text: String) -> [JSONPathComponent] {
        text.split(separator: ".").map { part in Int(part).map(JSONPathComponent.index) ?? .key(String(part)) }
    }

    /// The earliest rule that matches wins, whether it ends in a key or in a wildcard; what the
    /// linear scan over every rule would answer.
    @Test func earliestMatchingRuleWinsAsInALinearScan() throws {
        let rules: [(JSONPathPattern, String)] = try [
            ("order_lines[*].name", "a"), ("**.customer.*", "b"), ("**.email", "c"), ("billing_address.email", "d"), ("**.*", "e"),
            ("items[*]", "f"), ("**.customer.title", "g"),
        ].map { (try JSONPathPattern($0.0), $0.1) }
        let index = JSONPathIndex(rules)
        let probes = ["order_lines.0.name", "customer.title", "billing_address.email", "x.email", "items.3", "anything", "customer", "a.b.c"]
        for probe in probes {
            let expected = rules.first { $0.0.matches(location(probe)) }?.1
            #expect(index.firstMatch(at: location(probe)) == expected, "\(probe)")
        }
        #expect(index.firstMatch(at: []) == nil)
        #expect(JSONPathIndex<String>([]).firstMatch(at: location("a")) == nil)
    }
}

@Suite struct CanonicalLargeObjectTests {
    /// An object with a hundred thousand members (a body no client should send, but one an app
    /// can) is put in canonical order in n log n, not quadratic time.
    @Test(.timeLimit(.minutes(1))) func aHugeObjectSortsInReasonableTime() throws {
        let count = 100_000
        let members = (0..<count).map { JSONMember(key: "k\(($0 &* 7919) % count)", value: .number(String($0))) }
        let keys = try #require(JSONParser.parse(JSONValue.object(members).canonicalText).objectMembers).map(\.key)
        #expect(keys.count == count)
        #expect(zip(keys, keys.dropFirst()).allSatisfy { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }

    /// Small and large objects (two ways of sorting) keep the last of duplicate keys alike.
    @Test(arguments: [5, 24, 25, 60]) func duplicatesKeepTheLastValueAtEverySize(_ distinct: Int) {
        let members = (0..<(distinct * 2)).map { JSONMember(key: "key\(($0 * 7) % distinct)", value: .number(String($0))) }
        var last: [String: String] = [:]
        for member in members { if case .number(let n) = member.value { last[member.key] = n } }
        let expected = "{" + last.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            .map { "\"\($0)\":\(last[$0]!)" }.joined(separator: ",") + "}"
        #expect(JSONValue.object(members).canonicalText == expected)
    }
}

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
