/// Percent-encoding for path segments, query parts and form bodies, so the leak detector sees
/// `jane@example.com` where the request said `jane%40example.com`; and for file paths in URIs.
public enum PercentEncoding {
    /// `%XX` decoded (and `+` as a space in forms); malformed escapes are kept as they are.
    public static func decode(_ text: String, plusIsSpace: Bool) -> String {
        var bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) || (plusIsSpace && bytes.contains(UInt8(ascii: "+"))) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        bytes = out
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Everything but RFC 3986 unreserved characters and `:` (pseudonyms keep theirs) as `%XX`.
    static func encode(_ text: String) -> String {
        encode(text, keeping: UInt8(ascii: ":"))
    }

    /// A file path as the path of a `file:` URI (SQLite's): `/` and `:` kept, the rest of what
    /// is not unreserved (`?`, `#`, `%`, spaces) as `%XX`.
    public static func encodePath(_ path: String) -> String {
        encode(path, keeping: UInt8(ascii: ":"), UInt8(ascii: "/"))
    }

    private static func encode(_ text: String, keeping kept: UInt8...) -> String {
        encode(text) { isUnreserved($0) || kept.contains($0) }
    }

    /// `text` with every byte `keeps` refuses written as `%XX` (upper-case hex).
    static func encode(_ text: String, keeping keeps: (UInt8) -> Bool) -> String {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if keeps(byte) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(contentsOf: HexText.string([byte]).uppercased().utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
