import Testing
@testable import SessproxyCore

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
