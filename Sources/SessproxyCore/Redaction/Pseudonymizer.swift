import Crypto

/// Replaces a secret with a stable stand-in. With a key, the stand-in is an HMAC-SHA256
/// pseudonym: equal values stay equal across a cassette and across recordings made with
/// the same key, a changed value shows as changed, and nobody without the key can test a
/// guess. Without a key (replay), every value becomes the same placeholder, which is enough
/// to line a live request up with a recorded one.
public struct Pseudonymizer: Sendable {
    public static let prefix = "redacted:"
    public static let placeholder = "redacted"

    /// HMAC state already keyed; copied per value so the key schedule runs once, not per field.
    private let keyedMAC: HMACSHA256?

    /// Keyed pseudonyms; `keyBytes` should be 32 random bytes kept outside the cassette.
    public init(keyBytes: [UInt8]) {
        self.keyedMAC = HMACSHA256(key: keyBytes)
    }

    private init() {
        self.keyedMAC = nil
    }

    /// Placeholder mode: no key, every value maps to `redacted`.
    public static let placeholderOnly = Pseudonymizer()

    /// Whether this is placeholder mode (nothing it makes carries a format hint).
    public var isPlaceholderOnly: Bool { keyedMAC == nil }

    public func pseudonym(for value: String) -> String {
        if Self.isRedacted(value) { return value }
        guard let keyedMAC else { return Self.placeholder }
        return Self.text(of: Self.code(of: value, keyedMAC: keyedMAC), hint: nil)
    }

    /// `pseudonym(for:)` followed by a hint of the value's format (`redacted:<hex>~email`), so
    /// that replay can serve a stand-in of the same shape. The placeholder carries no hint:
    /// matching ignores hints.
    public func pseudonym(for value: String, format: FieldFormat?) -> String {
        if Self.isRedacted(value) { return value }
        guard let keyedMAC else { return Self.placeholder }
        let hint = format.map { PseudonymToken.hint(for: value, format: $0) }
        return Self.text(of: Self.code(of: value, keyedMAC: keyedMAC), hint: hint)
    }

    /// A keyed digest of raw bytes (a body withheld from the cassette).
    public func pseudonym(forBytes bytes: [UInt8]) -> String {
        guard let keyedMAC else { return Self.placeholder }
        return Self.text(of: bytes.withUnsafeBytes { keyedMAC.code(of: $0) })
    }

    private static func code(of value: String, keyedMAC: HMACSHA256) -> SHA256Digest {
        var value = value
        return value.withUTF8 { keyedMAC.code(of: UnsafeRawBufferPointer($0)) }
    }

    /// `redacted:` and the first eight bytes of the code in hex, then the hint if any: the text
    /// `PseudonymToken.text` spells, written in one buffer (this runs for every redacted value).
    private static func text(of code: SHA256Digest, hint: PseudonymToken.Hint? = nil) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(prefixBytes.count + 16 + (hint?.textLength ?? 0))
        text.append(contentsOf: prefixBytes)
        code.withUnsafeBytes { bytes in HexText.append(UnsafeRawBufferPointer(rebasing: bytes.prefix(8)), to: &text) }
        hint?.append(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    private static let prefixBytes = Array(prefix.utf8)

    /// Whether a value is already a pseudonym or the placeholder (redaction is idempotent).
    public static func isRedacted(_ value: String) -> Bool {
        value == placeholder || value.hasPrefix(prefix)
    }
}
