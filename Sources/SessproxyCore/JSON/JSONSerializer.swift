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
        var out = JSONByteSink(capacity: 1024)
        write(value, style: style, indent: 0, transform: nil, into: &out)
        return out.bytes()
    }

    /// Bytes with every string value (not key) passed through `transform` on the way out:
    /// the same bytes as transforming the tree first and serialising it, without building that
    /// second tree. Keys keep their text, so the canonical key order is unaffected.
    public static func bytes(_ value: JSONValue, style: Style, transformingStringValues transform: @escaping (String) -> String) -> [UInt8] {
        var out = JSONByteSink(capacity: 1024)
        write(value, style: style, indent: 0, transform: transform, into: &out)
        return out.bytes()
    }

    public static func string(_ value: JSONValue, style: Style = .compact) -> String {
        String(decoding: bytes(value, style: style), as: UTF8.self)
    }

    /// Compact text of an array of strings, written straight from them: the bytes of
    /// `.array(strings.map { .string($0) })` without building that document first.
    public static func bytes(ofStrings strings: some Collection<String>) -> [UInt8] {
        bytes(ofArray: strings, capacity: strings.reduce(0) { $0 + $1.utf8.count + 3 }) { string, out in
            writeString(string, into: &out)
        }
    }

    /// Compact text of an array of two-string arrays (a header list): the bytes of
    /// `.array(pairs.map { .array([.string($0), .string($1)]) })` without building it first.
    public static func bytes(ofPairs pairs: some Collection<(String, String)>) -> [UInt8] {
        bytes(ofArray: pairs, capacity: pairs.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 8 }) { pair, out in
            out.append(UInt8(ascii: "["))
            writeString(pair.0, into: &out)
            out.append(UInt8(ascii: ","))
            writeString(pair.1, into: &out)
            out.append(UInt8(ascii: "]"))
        }
    }

    /// `[item,item,…]`, each item written by `writeItem`; `capacity` is the items' expected bytes.
    private static func bytes<Items: Collection>(
        ofArray items: Items, capacity: Int, _ writeItem: (Items.Element, inout JSONByteSink) -> Void
    ) -> [UInt8] {
        var out = JSONByteSink(capacity: 2 + capacity)
        out.append(UInt8(ascii: "["))
        var first = true
        for item in items {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            writeItem(item, &out)
        }
        out.append(UInt8(ascii: "]"))
        return out.bytes()
    }

    // The tree is walked by borrowing: values, members and keys are read where they lie,
    // through the arrays' buffers, instead of being copied (and reference-counted) at each step.
    private static func write(
        _ value: borrowing JSONValue, style: Style, indent: Int, transform: ((String) -> String)?, into out: inout JSONByteSink
    ) {
        switch value {
        case .null: out.append("null")
        case .bool(let flag): out.append(flag ? "true" : "false")
        case .number(let lexeme): out.append(utf8: lexeme)
        case .string(let string):
            if let transform { writeString(transform(copy string), into: &out) } else { writeString(string, into: &out) }
        case .array(let items):
            if items.isEmpty {
                out.append("[]")
                return
            }
            out.append(UInt8(ascii: "["))
            items.withUnsafeBufferPointer { items in
                for index in items.indices {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    newline(style: style, indent: indent + 1, into: &out)
                    write(items[index], style: style, indent: indent + 1, transform: transform, into: &out)
                }
            }
            newline(style: style, indent: indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                out.append("{}")
                return
            }
            out.append(UInt8(ascii: "{"))
            members.withUnsafeBufferPointer { members in
                if style == .compact {
                    for index in members.indices {
                        writeMember(members[index], first: index == 0, style: style, indent: indent, transform: transform, into: &out)
                    }
                } else {
                    // Sorted styles walk the members through an index order, without copying them.
                    withCanonicalOrder(members) { order in
                        for position in order.indices {
                            writeMember(members[order[position]], first: position == 0, style: style, indent: indent, transform: transform, into: &out)
                        }
                    }
                }
            }
            newline(style: style, indent: indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeMember(
        _ member: borrowing JSONMember, first: Bool, style: Style, indent: Int, transform: ((String) -> String)?, into out: inout JSONByteSink
    ) {
        if !first { out.append(UInt8(ascii: ",")) }
        newline(style: style, indent: indent + 1, into: &out)
        writeString(member.key, into: &out)
        out.append(UInt8(ascii: ":"))
        if style == .pretty { out.append(UInt8(ascii: " ")) }
        write(member.value, style: style, indent: indent + 1, transform: transform, into: &out)
    }

    /// Calls `body` with the indices of `members` in canonical order, by key bytes (for
    /// duplicate keys only the last one, which is what a lookup sees). The order is built in
    /// scratch memory: a body has a dozen objects, each sorted on every canonical write.
    static func withCanonicalOrder(_ members: UnsafeBufferPointer<JSONMember>, _ body: (UnsafeBufferPointer<Int>) -> Void) {
        withUnsafeTemporaryAllocation(of: (prefix: UInt64, index: Int).self, capacity: members.count) { scratch in
            // Most keys differ in their first eight bytes, so those, packed into an integer,
            // decide most comparisons without touching the strings.
            for index in members.indices { scratch.initializeElement(at: index, to: (keyPrefix(members[index].key), index)) }
            func precedes(_ left: (prefix: UInt64, index: Int), _ right: (prefix: UInt64, index: Int)) -> Bool {
                if left.prefix != right.prefix { return left.prefix < right.prefix }
                let order = compareBytes(members[left.index].key, members[right.index].key)
                return order == 0 ? left.index < right.index : order < 0
            }
            // The position breaks ties, so the order is total and the same on every run.
            // Insertion sort for the small objects bodies are made of; the standard sort keeps a
            // big one n log n.
            if scratch.count <= 24 {
                for position in scratch.indices.dropFirst() {
                    let moving = scratch[position]
                    var hole = position
                    while hole > 0, precedes(moving, scratch[hole - 1]) {
                        scratch[hole] = scratch[hole - 1]
                        hole -= 1
                    }
                    scratch[hole] = moving
                }
            } else {
                var sorting = scratch
                sorting.sort(by: precedes)
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                var count = 0
                for position in scratch.indices {
                    let index = scratch[position].index
                    let isLastOfKey = position + 1 == scratch.count
                        || scratch[position + 1].prefix != scratch[position].prefix
                        || members[scratch[position + 1].index].key != members[index].key
                    if isLastOfKey {
                        order.initializeElement(at: count, to: index)
                        count += 1
                    }
                }
                body(UnsafeBufferPointer(rebasing: order[0..<count]))
            }
            _ = scratch.deinitialize()
        }
    }

    /// The first eight UTF-8 bytes, big-endian, zero-padded: comparing two prefixes agrees with
    /// `compareBytes` whenever the prefixes differ.
    static func keyPrefix(_ key: borrowing String) -> UInt64 {
        func packed(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var value: UInt64 = 0
            for index in 0..<8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
            return value
        }
        return key.withUTF8Bytes(packed)
    }

    /// Orders two strings by their UTF-8 bytes (memcmp, then length): the canonical key order.
    static func compareBytes(_ a: borrowing String, _ b: borrowing String) -> Int {
        func compared(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
            let common = min(left.count, right.count)
            if common > 0, let l = left.baseAddress, let r = right.baseAddress {
                let order = memcmp(l, r, common)
                if order != 0 { return Int(order) }
            }
            return left.count - right.count
        }
        return a.withUTF8Bytes { left in b.withUTF8Bytes { right in compared(left, right) } }
    }

    private static func newline(style: Style, indent: Int, into out: inout JSONByteSink) {
        guard style == .pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(repeating: UInt8(ascii: " "), count: indent * 2)
    }

    private static func writeString(_ string: borrowing String, into out: inout JSONByteSink) {
        out.append(UInt8(ascii: "\""))
        string.withUTF8Bytes { bytes in
            if needsEscaping(bytes) { writeEscaped(bytes, into: &out) } else { out.append(bytes) }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// A string's bytes with quotes, backslashes and control characters escaped: the runs
    /// between them copied whole (an embedded JSON document is mostly such runs).
    @inline(never)
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout JSONByteSink) {
        let hex: StaticString = "0123456789abcdef"
        var runStart = 0
        for index in bytes.indices {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            runStart = index + 1
            switch byte {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            default:
                out.append("\\u00")
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0x0F)])
            }
        }
        out.append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    /// Whether any byte is a control character, `"` or a backslash, tested eight bytes at a time
    /// (bytes of multi-byte characters are 0x80 and up, never escaped).
    static func needsEscaping(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(buffer.baseAddress) else { return false }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var offset = 0
        while offset + 8 <= buffer.count {
            let word = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // A byte below n sets its high bit in (word - n·ones) & ~word (n ≤ 0x80); a byte
            // equal to c is one below 1 after xor with c.
            let found = ((word &- ones &* 0x20) & ~word) | ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
            if found & highs != 0 { return true }
            offset += 8
        }
        while offset < buffer.count {
            let byte = buffer[offset]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { return true }
            offset += 1
        }
        return false
    }
}

extension JSONValue {
    /// Canonical text: sorted keys, no whitespace. Two payloads that differ only in key order
    /// or formatting have the same canonical text.
    public var canonicalText: String { JSONSerializer.string(self, style: .canonical) }
}
