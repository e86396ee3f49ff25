/// A read-only map from JSON member names to values, looked up without Swift's seeded hashing.
/// Redaction, normalisation and rendering ask a schema and the rule index once per member of
/// every body; hashing each name with `Hasher` cost more than the rest of that walk. Names are
/// bucketed by their UTF-8 length and three of their bytes, and a lookup compares the one or two
/// names in its bucket.
public struct KeyTable<Value: Sendable>: Sendable {
    private let keys: [String]
    private let values: [Value]
    /// `keys[bucketStarts[b]..<bucketStarts[b + 1]]` are the names of bucket `b`.
    private let bucketStarts: [Int]
    private let mask: Int

    /// A table of `pairs`; for a repeated name the last value wins, as with a dictionary built
    /// `uniquingKeysWith: { _, last in last }`.
    public init(_ pairs: some Sequence<(String, Value)>) {
        var unique: [(String, Value)] = []
        var positions: [String: Int] = [:]
        for (key, value) in pairs {
            if let position = positions[key] {
                unique[position].1 = value
            } else {
                positions[key] = unique.count
                unique.append((key, value))
            }
        }
        var bucketCount = 1
        while bucketCount < unique.count * 2 { bucketCount <<= 1 }
        let mask = bucketCount - 1
        let sorted = unique.map { (bucket: Self.bucket(of: $0.0, mask: mask), pair: $0) }.sorted { $0.bucket < $1.bucket }
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        for entry in sorted { starts[entry.bucket + 1] += 1 }
        for bucket in 0..<bucketCount { starts[bucket + 1] += starts[bucket] }
        self.keys = sorted.map(\.pair.0)
        self.values = sorted.map(\.pair.1)
        self.bucketStarts = starts
        self.mask = mask
    }

    public init() {
        self.init(EmptyCollection<(String, Value)>())
    }

    public subscript(key: String) -> Value? {
        let bucket = Self.bucket(of: key, mask: mask)
        var position = bucketStarts[bucket]
        let end = bucketStarts[bucket + 1]
        while position < end {
            if keys[position] == key { return values[position] }
            position += 1
        }
        return nil
    }

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    /// Reads the name's bytes in place: `String.UTF8View`'s own `last` and index arithmetic were
    /// a third of a lookup.
    private static func bucket(of key: String, mask: Int) -> Int {
        key.withUTF8Bytes { bucket(of: $0, mask: mask) }
    }

    private static func bucket(of bytes: UnsafeBufferPointer<UInt8>, mask: Int) -> Int {
        let count = bytes.count
        guard count > 0 else { return 0 }
        var mixed = UInt(count) &* 0x9E37_79B9
        mixed ^= UInt(bytes[0]) &* 0x85EB_CA6B
        mixed ^= UInt(bytes[count - 1]) &* 0xC2B2_AE35
        mixed ^= UInt(bytes[count / 2]) &* 0x27D4_EB2F
        mixed ^= mixed >> 15
        return Int(truncatingIfNeeded: mixed) & mask
    }
}
