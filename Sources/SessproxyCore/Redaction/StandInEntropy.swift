import Crypto

/// Deterministic choices for a stand-in value: a stream of numbers drawn from the SHA-256 of a
/// pseudonym, so equal pseudonyms always render the same way and different ones (different
/// HMACs) render independently. Nothing here is secret; the pseudonym already is not.
public struct StandInEntropy: Sendable {
    private let seed: [UInt8]
    private var block: [UInt8] = []
    private var offset = 0
    private var counter: UInt32 = 0

    public init(seed: String) {
        self.seed = Array(seed.utf8)
    }

    /// A number in `0..<bound` (0 when `bound` is not positive).
    public mutating func next(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        var value: UInt64 = 0
        for _ in 0..<8 { value = value << 8 | UInt64(nextByte()) }
        return Int(value % UInt64(bound))
    }

    private mutating func nextByte() -> UInt8 {
        if offset >= block.count {
            var hasher = SHA256()
            hasher.update(data: seed)
            withUnsafeBytes(of: counter.bigEndian) { hasher.update(bufferPointer: $0) }
            block = Array(hasher.finalize())
            counter &+= 1
            offset = 0
        }
        defer { offset += 1 }
        return block[offset]
    }
}
