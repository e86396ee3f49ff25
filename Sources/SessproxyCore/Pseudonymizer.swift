import Crypto

/// Replaces a secret with a stable stand-in. With a key, the stand-in is an HMAC-SHA256
/// pseudonym: equal values stay equal across a cassette and across recordings made with
/// the same key, a changed value shows as changed, and nobody without the key can test a
/// guess. Without a key (replay), every value becomes the same placeholder, which is enough
/// to line a live request up with a recorded one.
public struct Pseudonymizer: Sendable {
    public static let prefix = "redacted:"
    public static let placeholder = "redacted"

    private let key: SymmetricKey?

    /// Keyed pseudonyms; `keyBytes` should be 32 random bytes kept outside the cassette.
    public init(keyBytes: [UInt8]) {
        self.key = SymmetricKey(data: keyBytes)
    }

    private init() {
        self.key = nil
    }

    /// Placeholder mode: no key, every value maps to `redacted`.
    public static let placeholderOnly = Pseudonymizer()

    public func pseudonym(for value: String) -> String {
        if Self.isRedacted(value) { return value }
        guard let key else { return Self.placeholder }
        let mac = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        return Self.prefix + mac.prefix(8).map { byte in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    /// Whether a value is already a pseudonym or the placeholder (redaction is idempotent).
    public static func isRedacted(_ value: String) -> Bool {
        value == placeholder || value.hasPrefix(prefix)
    }
}
