/// The text form of a pseudonym: `redacted:<hex>`, optionally followed by a hint of the value's
/// shape — `~email` (a `FieldFormat` name) or `~=AAnA_nAA` (character classes, for formats that
/// keep length). The hint says what kind of value was there, never which value: it lets replay
/// render a stand-in of the same format. Everything about the token's extent lives here, so
/// matching, audit masking and rendering agree on where a pseudonym ends.
public struct PseudonymToken: Sendable, Hashable {
    public enum Hint: Sendable, Hashable {
        case format(FieldFormat)
        /// Character classes: `A` upper, `a` lower, `n` digit, `_` space, `-./'` themselves, `x` other.
        case shape(String)

        /// Appends `~name` or `~=shape`, as the token's text spells the hint.
        func append(to text: inout [UInt8]) {
            text.append(UInt8(ascii: "~"))
            switch self {
            case .format(let format): text.append(contentsOf: format.rawValue.utf8)
            case .shape(let shape):
                text.append(UInt8(ascii: "="))
                text.append(contentsOf: shape.utf8)
            }
        }

        var textLength: Int {
            switch self {
            case .format(let format): 1 + format.rawValue.utf8.count
            case .shape(let shape): 2 + shape.utf8.count
            }
        }
    }

    /// The HMAC hex digits (empty for the bare placeholder).
    public var digest: String
    public var hint: Hint?

    public init(digest: String, hint: Hint?) {
        self.digest = digest
        self.hint = hint
    }

    /// The token a whole string value holds, or nil when the value is not exactly one token.
    public init?(_ text: String) {
        if text == Pseudonymizer.placeholder {
            self.init(digest: "", hint: nil)
            return
        }
        let bytes = Array(text.utf8)
        guard text.hasPrefix(Pseudonymizer.prefix), Self.end(in: bytes, at: 0) == bytes.count else { return nil }
        let body = bytes[Self.prefixBytes.count...]
        let hexEnd = body.firstIndex(where: { !Self.isHexDigit($0) }) ?? bytes.endIndex
        let digest = String(decoding: bytes[body.startIndex..<hexEnd], as: UTF8.self)
        var hint: Hint? = nil
        if hexEnd < bytes.count {
            let hintText = String(decoding: bytes[(hexEnd + 1)...], as: UTF8.self)
            if hintText.hasPrefix("=") {
                hint = .shape(String(hintText.dropFirst()))
            } else if let format = FieldFormat(rawValue: hintText) {
                hint = .format(format)
            }
        }
        self.init(digest: digest, hint: hint)
    }

    public var text: String {
        var out: [UInt8] = Array(Pseudonymizer.prefix.utf8)
        out.append(contentsOf: digest.utf8)
        hint?.append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The hint recorded for a value redacted with `format`: the format's name, or for formats
    /// that keep length the value's character classes (at most 100 of them).
    public static func hint(for value: String, format: FieldFormat) -> Hint {
        switch format {
        case .keepLength:
            return .shape(printableASCIIShape(of: value) ?? String(value.prefix(100).map(shapeClass)))
        case .digits:
            let digits = value.filter { $0.isASCII && $0.isNumber }.count
            return .shape(String(repeating: "n", count: min(100, digits > 0 ? digits : value.count)))
        default:
            return .format(format)
        }
    }

    /// `shapeClass` of each of the first 100 characters, read from the bytes when the first 101
    /// bytes are printable ASCII (each byte a character of its own, the 101st checked because a
    /// combining mark there would join the 100th); nil otherwise. Character by character the
    /// shape cost more than the HMAC of the value.
    static func printableASCIIShape(of value: String) -> String? {
        value.withUTF8Bytes { bytes -> String? in
            guard bytes.prefix(101).allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
            return String(unsafeUninitializedCapacity: min(bytes.count, 100)) { shape in
                for (offset, byte) in bytes.prefix(100).enumerated() { shape[offset] = shapeByte(ofPrintableASCII: byte) }
                return min(bytes.count, 100)
            }
        }
    }

    /// The shape symbol of one character (`A`, `a`, `n`, `_`, `-./'` or `x`).
    public static func shapeClass(_ character: Character) -> Character {
        if let byte = character.asciiValue, (0x20...0x7E).contains(byte) {
            return Character(Unicode.Scalar(shapeByte(ofPrintableASCII: byte)))
        }
        // Beyond printable ASCII: letters by case, everything else (digits of other scripts,
        // control characters, CR LF) `x`.
        if character.isUppercase { return "A" }
        if character.isLetter { return "a" }
        return "x"
    }

    /// The shape symbol of a printable ASCII character, from its byte: the one table both
    /// readings use.
    @inline(__always)
    static func shapeByte(ofPrintableASCII byte: UInt8) -> UInt8 {
        switch byte {
        case 0x30...0x39: UInt8(ascii: "n")
        case 0x41...0x5A: UInt8(ascii: "A")
        case 0x61...0x7A: UInt8(ascii: "a")
        case UInt8(ascii: " "): UInt8(ascii: "_")
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "'"): byte
        default: UInt8(ascii: "x")
        }
    }

    // MARK: Extent in text

    /// Replaces every pseudonym (`redacted:<hex>` and its format hint) with `redacted`, so that
    /// a keyed pseudonym and the placeholder compare equal wherever they appear (whole value,
    /// embedded JSON, free text, path).
    public static func collapsed(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String? in
            guard let first = PseudonymToken.nextStart(in: bytes, from: 0) else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var index = 0
            var next: Int? = first
            while let start = next {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<start]))
                out.append(contentsOf: Pseudonymizer.placeholder.utf8)
                index = PseudonymToken.end(in: bytes, at: start)
                next = PseudonymToken.nextStart(in: bytes, from: index)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index...]))
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// Whether two different texts say the same once their pseudonyms are set aside: the same
    /// free text around them, or each a pseudonym as a whole. Recordings made with different keys
    /// (two sidecars) differ in every pseudonym, so `diff` calls such values equal by default.
    public static func equalAroundPseudonyms(_ a: String, _ b: String) -> Bool {
        guard a.contains(Pseudonymizer.placeholder), b.contains(Pseudonymizer.placeholder) else { return false }
        return collapsed(a) == collapsed(b)
    }

    /// Whether `text` is one pseudonym and nothing else (or the bare placeholder). Its bytes are
    /// all printable ASCII that a query or form value may carry as they are, so it is written
    /// there unescaped: escaped, a hint's `=` would hide the hint from `end(in:at:)`.
    static func isWholeToken(_ text: String) -> Bool {
        if text == Pseudonymizer.placeholder { return true }
        let bytes = Array(text.utf8)
        return bytes.starts(with: prefixBytes) && end(in: bytes, at: 0) == bytes.count
    }

    static let prefixBytes = Array(Pseudonymizer.prefix.utf8)

    /// Where the token that starts at `start` (at its `redacted:`) ends: after the hex digits and
    /// a hint, if one follows (`~` then letters, or `~=` then shape classes). `bytes` is indexed from 0.
    public static func end<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, at start: Int) -> Int where Bytes.Index == Int {
        var index = start + prefixBytes.count
        while index < bytes.count, isHexDigit(bytes[index]) { index += 1 }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "~") else { return index }
        if bytes[index + 1] == UInt8(ascii: "=") {
            var end = index + 2
            while end < bytes.count, isShapeByte(bytes[end]) { end += 1 }
            return end > index + 2 ? end : index
        }
        var end = index + 1
        while end < bytes.count, (0x61...0x7A).contains(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
        return end > index + 1 ? end : index
    }

    /// Offset of the next `redacted:` at or after `start`.
    public static func nextStart<Bytes: RandomAccessCollection<UInt8>>(in bytes: Bytes, from start: Int) -> Int? where Bytes.Index == Int {
        ByteSearch.firstIndex(of: prefixBytes, in: bytes, from: start)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) || (0x41...0x46).contains(byte)
    }

    static func isShapeByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "A") || byte == UInt8(ascii: "a") || byte == UInt8(ascii: "n") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "x") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
            || byte == UInt8(ascii: "'")
    }
}
