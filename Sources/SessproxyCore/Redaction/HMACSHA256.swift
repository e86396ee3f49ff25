import Crypto

/// HMAC-SHA256 (RFC 2104) with its key schedule done once: the hash states after the inner and
/// outer padded key are kept and copied per message. Crypto's `HMAC<SHA256>` is generic and not
/// specialised across the module boundary; its type-metadata lookups cost more than the hashing
/// of a short value, and every redacted value is one.
struct HMACSHA256: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    init(key: [UInt8]) {
        let blockSize = 64
        var block = key.count > blockSize ? Array(SHA256.hash(data: key)) : key
        block.append(contentsOf: repeatElement(0, count: blockSize - block.count))
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    func code(of message: UnsafeRawBufferPointer) -> SHA256Digest {
        var inner = self.inner
        inner.update(bufferPointer: message)
        let innerDigest = inner.finalize()
        var outer = self.outer
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }
}
