import Foundation
import SessproxyCore

/// Removes what differs on every call from a body before it is compared or printed: ignored
/// paths (session ids, tokens, correlation ids, expiry…), any date/time string, and the call's
/// own session id wherever it is embedded in a string (a merchant URL, say). Stripping the
/// document itself, rather than only skipping paths while diffing, is what keeps noise out of
/// a body that is printed whole because one side lacks it.
struct NoiseFilter: Sendable {
    static let sessionPlaceholder = "{session_id}"

    /// Keys ignored at any depth (`**.client_token`): checked with one set lookup per member.
    let keysAnywhere: Set<String>
    /// Every other pattern, matched against the full location.
    let patterns: [JSONPathPattern]
    /// Session ids to replace by `{session_id}` inside strings; empty strings are skipped.
    let sessionIDs: [String]

    init(patterns: [JSONPathPattern], sessionIDs: [String?]) {
        var keys = Set<String>()
        var rest: [JSONPathPattern] = []
        for pattern in patterns {
            if pattern.segments.count == 2, case .anyDepth = pattern.segments[0], case .key(let key) = pattern.segments[1] {
                keys.insert(key)
            } else {
                rest.append(pattern)
            }
        }
        self.keysAnywhere = keys
        self.patterns = rest
        self.sessionIDs = sessionIDs.compactMap { $0 }.filter { $0.count >= 4 }
    }

    func clean(_ value: JSONValue) -> JSONValue {
        var location: [JSONPathComponent] = []
        return clean(value, location: &location)
    }

    private func clean(_ value: JSONValue, location: inout [JSONPathComponent]) -> JSONValue {
        switch value {
        case .object(let members):
            var kept: [JSONMember] = []
            kept.reserveCapacity(members.count)
            for member in members {
                location.append(.key(member.key))
                defer { location.removeLast() }
                if isNoise(member.value, at: location) { continue }
                kept.append(JSONMember(key: member.key, value: clean(member.value, location: &location)))
            }
            return .object(kept)
        case .array(let items):
            var kept: [JSONValue] = []
            kept.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                location.append(.index(index))
                defer { location.removeLast() }
                if isNoise(item, at: location) { continue }
                kept.append(clean(item, location: &location))
            }
            return .array(kept)
        case .string(let text):
            return .string(replacingSessionIDs(in: text))
        default:
            return value
        }
    }

    private func isNoise(_ value: JSONValue, at location: [JSONPathComponent]) -> Bool {
        if case .string(let text) = value, DateTimeText.isDateTime(text) { return true }
        if case .key(let key)? = location.last, keysAnywhere.contains(key) { return true }
        return !patterns.isEmpty && patterns.contains { $0.matches(location) }
    }

    func replacingSessionIDs(in text: String) -> String {
        var result = text
        for id in sessionIDs where Self.containsBytes(result.utf8, id.utf8) {
            result = result.replacingOccurrences(of: id, with: Self.sessionPlaceholder)
        }
        return result
    }

    /// Byte-wise substring test: runs for every string leaf of every body, where Foundation's
    /// locale-aware search was most of the diff's time.
    static func containsBytes(_ haystack: String.UTF8View, _ needle: String.UTF8View) -> Bool {
        let needleBytes = Array(needle)
        guard let first = needleBytes.first, haystack.count >= needleBytes.count else { return needleBytes.isEmpty }
        let bytes = Array(haystack)
        var index = 0
        let last = bytes.count - needleBytes.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + needleBytes.count)].elementsEqual(needleBytes) { return true }
            index += 1
        }
        return false
    }
}
