import Testing
@testable import SessproxyCore

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
