#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns a `JSONValue` back into bytes: compact (document order), canonical (sorted keys,
/// no whitespace: equal payloads give equal bytes) or pretty (for humans and review diffs).
public enum JSONSerializer {
    public enum Style: Sendable {
        /// Document key order, no whitespace.
        case compact
        /// Keys sorted by UTF-8 bytes, no whitespace. Used for matching and hashing.
        case canonical
        /// Keys sorted, two-space indent. Stable text for exports and `show`.
        case pretty
    }

    public static func bytes(_ value: JSONValue, style: Style = .compact) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, style: style, indent: 0, transform: nil, into: &out)
        return out
    }

    /// Bytes with every string value (not key) passed through `transform` on the way out:
    /// the same bytes as transforming the tree first and serialising it, without building that
    /// second tree. Keys keep their text, so the canonical key order is unaffected.
    public static func bytes(_ value: JSONValue, style: Style, transformingStringValues transform: @escaping (String) -> String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, style: style, indent: 0, transform: transform, into: &out)
        return out
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, style: Style, indent: Int, transform: ((String) -> String)?, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let lexeme): out.append(contentsOf: lexeme.utf8)
        case .string(let string): writeString(transform.map { $0(string) } ?? string, into: &out)
        case .array(let items):
            if items.isEmpty {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                newline(style: style, indent: indent + 1, into: &out)
                write(item, style: style, indent: indent + 1, transform: transform, into: &out)
            }
            newline(style: style, indent: indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out.append(contentsOf: "{}".utf8)
                return
            }
            // Sorted styles walk the members through an index order, without copying them.
            let order = style == .compact ? nil : sortedOrder(members)
            out.append(UInt8(ascii: "{"))
            for position in 0..<(order?.count ?? members.count) {
                let member = members[order?[position] ?? position]
                if position > 0 { out.append(UInt8(ascii: ",")) }
                newline(style: style, indent: indent + 1, into: &out)
                writeString(member.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if style == .pretty { out.append(UInt8(ascii: " ")) }
                write(member.value, style: style, indent: indent + 1, transform: transform, into: &out)
            }
            newline(style: style, indent: indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Indices of `members` in canonical order, by key bytes (for duplicate keys only the last
    /// one, which is what a lookup sees), or nil when the members already are in that order.
    static func sortedOrder(_ members: [JSONMember]) -> [Int]? {
        // Most keys differ in their first eight bytes, so those, packed into an integer, decide
        // most comparisons without touching the strings.
        let prefixes = members.map { keyPrefix($0.key) }
        func precedes(_ left: Int, _ right: Int) -> Bool {
            if prefixes[left] != prefixes[right] { return prefixes[left] < prefixes[right] }
            return compareBytes(members[left].key, members[right].key) < 0
        }
        if members.indices.dropFirst().allSatisfy({ precedes($0 - 1, $0) }) { return nil }
        // Stable sort, then keep the last of each run of equal keys: no hashing.
        let order = members.indices.sorted { left, right in
            if prefixes[left] != prefixes[right] { return prefixes[left] < prefixes[right] }
            let order = compareBytes(members[left].key, members[right].key)
            return order == 0 ? left < right : order < 0
        }
        var result: [Int] = []
        result.reserveCapacity(order.count)
        for (position, index) in order.enumerated() {
            let isLastOfKey = position + 1 == order.count || members[order[position + 1]].key != members[index].key
            if isLastOfKey { result.append(index) }
        }
        return result
    }

    /// The first eight UTF-8 bytes, big-endian, zero-padded: comparing two prefixes agrees with
    /// `compareBytes` whenever the prefixes differ.
    static func keyPrefix(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
            return value
        }
    }

    /// Orders two strings by their UTF-8 bytes (memcmp, then length): the canonical key order.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { left in
            b.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0, let l = left.baseAddress, let r = right.baseAddress {
                    let order = memcmp(l, r, common)
                    if order != 0 { return Int(order) }
                }
                return left.count - right.count
            }
        }
    }

    private static func newline(style: Style, indent: Int, into out: inout [UInt8]) {
        guard style == .pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        let plain = string.withUTF8 { buffer -> Bool in
            for byte in buffer where byte < 0x20 || byte == 0x22 || byte == 0x5C { return false }
            out.append(contentsOf: buffer)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        let utf8 = string.utf8
        for byte in utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// Canonical text: sorted keys, no whitespace. Two payloads that differ only in key order
    /// or formatting have the same canonical text.
    public var canonicalText: String { JSONSerializer.string(self, style: .canonical) }
}
