import Crypto

/// Compact, stable identity of a `ReplayRequestKey`: the SHA-256 of its canonical text, as
/// 64 lowercase hex digits. Stored per exchange in the cassette so replay can group recorded
/// requests without reading or normalising their bodies, and computed the same way for a live
/// request so both sides meet in one dictionary lookup.
public enum ReplayMatchKey {
    /// Changes whenever `ReplayMatcher`'s normalisation or the canonical text below changes,
    /// so keys stored by an older build are never mistaken for current ones.
    static let algorithm = "sessproxy-replay-key-5"

    /// Digest of a request key: SHA-256 over length-prefixed fields, fed straight into the hash
    /// (a body is hashed as its canonical bytes, never copied or escaped into another text).
    public static func digest(of key: ReplayRequestKey) -> String {
        var hasher = SHA256()
        // Each field as `<decimal length>:<bytes>`, both fed from where they lie: no copies.
        func length(_ count: Int) {
            var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &digits) { buffer in
                var position = buffer.count
                buffer[position - 1] = UInt8(ascii: ":")
                position -= 1
                var rest = count
                repeat {
                    position -= 1
                    buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                } while rest > 0
                hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[position...]))
            }
        }
        func field(_ text: String) {
            var text = text
            text.withUTF8 { buffer in
                length(buffer.count)
                hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
        }
        field(algorithm)
        field(key.method)
        field(key.operation.rawValue)
        if let session = key.sessionID { field("s" + session) } else { field("-") }
        field(key.path)
        field(key.query)
        switch key.body {
        case .empty:
            field("empty")
        case .json(let text):
            field("json")
            field(text)
        case .bytes(let bytes):
            field("bytes")
            length(bytes.count)
            bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return HexText.string(hasher.finalize())
    }

    /// Fingerprint of everything in `rules` that can change a key: body paths, embedded JSON
    /// paths, kept paths and secret path prefixes. Headers are left out because matching
    /// ignores request headers, so a config that only adds headers keeps stored keys valid.
    public static func fingerprint(of rules: RedactionRules) -> String {
        let text = JSONValue.array([
            .string(algorithm),
            .array(rules.bodyPaths.map { .string($0.description) }),
            .array(rules.embeddedJSONPaths.map { .string($0.description) }),
            .array(rules.keepPaths.map { .string($0.description) }),
            .array(rules.secretPathPrefixes.map { .string($0) }),
        ]).canonicalText
        return HexText.string(SHA256.hash(data: Array(text.utf8)))
    }
}
