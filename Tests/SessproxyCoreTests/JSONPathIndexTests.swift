import Testing
@testable import SessproxyCore

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
