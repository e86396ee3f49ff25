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
