import Testing
@testable import SessproxyCore

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
