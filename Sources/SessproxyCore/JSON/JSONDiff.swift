/// A semantic difference between two JSON documents: objects compared by key, arrays of
/// order lines keyed by `reference` (falling back to `name`, then position), numbers by value
/// text. Shared by replay miss reports and `diff`.
public enum JSONDiff {
    public struct Options: Sendable {
        /// Locations skipped entirely (noise).
        public var ignoring: [JSONPathPattern]
        /// Values that differ only in their pseudonyms (or placeholders) count as equal: what
        /// differs was secret on both sides (`PseudonymToken.equalAroundPseudonyms`).
        public var redactedValuesAreEqual: Bool

        public init(ignoring: [JSONPathPattern] = [], redactedValuesAreEqual: Bool = true) {
            self.ignoring = ignoring
            self.redactedValuesAreEqual = redactedValuesAreEqual
        }
    }

    /// Changes from `before` to `after`, in document order. A nil side means the document is absent.
    public static func changes(from before: JSONValue?, to after: JSONValue?, options: Options = Options()) -> [JSONChange] {
        var out: [JSONChange] = []
        walk(before, after, display: "", location: [], options: options, into: &out)
        return out
    }

    private static func walk(
        _ before: JSONValue?, _ after: JSONValue?, display: String, location: [JSONPathComponent], options: Options,
        into out: inout [JSONChange]
    ) {
        if !location.isEmpty, options.ignoring.contains(where: { $0.matches(location) }) { return }
        switch (before, after) {
        case (nil, nil):
            return
        case (nil, let added?):
            out.append(JSONChange(kind: .added, path: display.isEmpty ? "$" : display, before: nil, after: added))
        case (let removed?, nil):
            out.append(JSONChange(kind: .removed, path: display.isEmpty ? "$" : display, before: removed, after: nil))
        case (.object(let left)?, .object(let right)?):
            let leftByKey = Dictionary(left.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            let rightByKey = Dictionary(right.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            var keys: [String] = []
            var seen = Set<String>()
            for member in left + right where seen.insert(member.key).inserted { keys.append(member.key) }
            for key in keys {
                walk(leftByKey[key], rightByKey[key], display: join(display, key), location: location + [.key(key)], options: options, into: &out)
            }
        case (.array(let left)?, .array(let right)?):
            if let leftKeys = elementKeys(left), let rightKeys = elementKeys(right), leftKeys.kind == rightKeys.kind {
                var order: [String] = []
                var seen = Set<String>()
                for key in leftKeys.keys + rightKeys.keys where seen.insert(key).inserted { order.append(key) }
                let leftIndex = Dictionary(leftKeys.keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                let rightIndex = Dictionary(rightKeys.keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                for key in order {
                    let l = leftIndex[key].map { left[$0] }
                    let r = rightIndex[key].map { right[$0] }
                    let position = rightIndex[key] ?? leftIndex[key] ?? 0
                    walk(l, r, display: display + "[\(leftKeys.kind)=\(key)]", location: location + [.index(position)], options: options, into: &out)
                }
            } else {
                for index in 0..<max(left.count, right.count) {
                    walk(
                        index < left.count ? left[index] : nil, index < right.count ? right[index] : nil,
                        display: display + "[\(index)]", location: location + [.index(index)], options: options, into: &out)
                }
            }
        case (let l?, let r?):
            if l == r { return }
            if options.redactedValuesAreEqual, case .string(let a) = l, case .string(let b) = r,
                PseudonymToken.equalAroundPseudonyms(a, b)
            {
                return
            }
            out.append(JSONChange(kind: .changed, path: display.isEmpty ? "$" : display, before: l, after: r))
        }
    }

    private static func join(_ display: String, _ key: String) -> String {
        display.isEmpty ? key : display + "." + key
    }

    /// Keys for an array of objects when every element has a distinct `reference` (or `name`).
    private static func elementKeys(_ items: [JSONValue]) -> (kind: String, keys: [String])? {
        guard !items.isEmpty else { return nil }
        for (field, kind) in [("reference", "ref"), ("name", "name")] {
            let keys = items.compactMap { $0[field]?.stringValue }
            if keys.count == items.count, Set(keys).count == keys.count { return (kind, keys) }
        }
        return nil
    }
}
