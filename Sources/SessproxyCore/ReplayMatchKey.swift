import Crypto

/// Compact, stable identity of a `ReplayRequestKey`: the SHA-256 of its canonical text, as
/// 64 lowercase hex digits. Stored per exchange in the cassette so replay can group recorded
/// requests without reading or normalising their bodies, and computed the same way for a live
/// request so both sides meet in one dictionary lookup.
public enum ReplayMatchKey {
    /// Changes whenever `ReplayMatcher`'s normalisation or the canonical text below changes,
    /// so keys stored by an older build are never mistaken for current ones.
    static let algorithm = "sessproxy-replay-key-1"

    /// Digest of a request key.
    public static func digest(of key: ReplayRequestKey) -> String {
        let body: JSONValue
        switch key.body {
        case .empty: body = .array([.string("empty")])
        case .json(let text): body = .array([.string("json"), .string(text)])
        case .bytes(let bytes): body = .array([.string("bytes"), .string(hex(bytes))])
        }
        let text = JSONValue.array([
            .string(algorithm), .string(key.method), .string(key.operation.rawValue),
            key.sessionID.map(JSONValue.string) ?? .null, .string(key.path), .string(key.query), body,
        ]).canonicalText
        return hex(SHA256.hash(data: Array(text.utf8)))
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
        return hex(SHA256.hash(data: Array(text.utf8)))
    }

    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
