/// Path patterns with a payload each, indexed by the key they end in: walking a body asks at
/// every member which pattern matches there first, and testing only the few patterns that end
/// in that member's name is what keeps that cheap. Patterns that end in a wildcard or an index
/// are tested everywhere.
struct JSONPathIndex<Payload: Sendable>: Sendable {
    private struct Entry: Sendable {
        var order: Int
        var pattern: JSONPathPattern
        var payload: Payload
    }

    private let byLastKey: KeyTable<[Entry]>
    private let others: [Entry]

    /// `rules` in priority order: `firstMatch` returns the earliest one that matches.
    init(_ rules: [(JSONPathPattern, Payload)]) {
        var byKey: [String: [Entry]] = [:]
        var others: [Entry] = []
        for (order, rule) in rules.enumerated() {
            let entry = Entry(order: order, pattern: rule.0, payload: rule.1)
            if let key = rule.0.lastKey { byKey[key, default: []].append(entry) } else { others.append(entry) }
        }
        self.byLastKey = KeyTable(byKey.map { ($0.key, $0.value) })
        self.others = others
    }

    /// The payload of the earliest rule matching `location`, if any.
    func firstMatch(at location: [JSONPathComponent]) -> Payload? {
        guard let last = location.last else { return nil }
        var found: Entry? = nil
        if case .key(let key) = last, let keyed = byLastKey[key] {
            found = keyed.first { $0.pattern.matches(location) }
        }
        for entry in others where entry.order < (found?.order ?? Int.max) && entry.pattern.matches(location) {
            found = entry
            break
        }
        return found?.payload
    }
}

extension JSONPathIndex where Payload == FieldFormat {
    /// The formats `rules` give locations (`RedactionRules.formats`, the first that matches wins).
    init(formatsOf rules: RedactionRules) {
        self.init(rules.formats.map { ($0.pattern, $0.format) })
    }
}
