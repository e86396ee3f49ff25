import Crypto

/// Compact, stable identity of a `ReplayRequestKey`: the SHA-256 of its canonical text, as
/// 64 lowercase hex digits. Stored per exchange in the cassette so replay can group recorded
/// requests without reading or normalising their bodies, and computed the same way for a live
/// request so both sides meet in one dictionary lookup.
public enum ReplayMatchKey {
    /// Changes whenever `ReplayMatcher`'s normalisation or the canonical text below changes,
    /// so keys stored by an older build are never mistaken for current ones.
    static let algorithm = "sessproxy-replay-key-3"

    /// Digest of a request key: SHA-256 over length-prefixed fields, fed straight into the hash
    /// (a body is hashed as its canonical bytes, never copied or escaped into another text).
    public static func digest(of key: ReplayRequestKey) -> String {
        var hasher = SHA256()
        func field(_ bytes: some Collection<UInt8>) {
            hasher.update(data: Array("\(bytes.count):".utf8))
            hasher.update(data: Array(bytes))
        }
        field(algorithm.utf8)
        field(key.method.utf8)
        field(key.operation.rawValue.utf8)
        if let session = key.sessionID { field(("s" + session).utf8) } else { field("-".utf8) }
        field(key.path.utf8)
        field(key.query.utf8)
        switch key.body {
        case .empty:
            field("empty".utf8)
        case .json(let text):
            field("json".utf8)
            var canonical = text
            canonical.withUTF8 { buffer in
                hasher.update(data: Array("\(buffer.count):".utf8))
                hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            }
        case .bytes(let bytes):
            field("bytes".utf8)
            field(bytes)
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
