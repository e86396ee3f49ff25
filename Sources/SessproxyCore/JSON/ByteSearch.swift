/// Finding a byte sequence in UTF-8 text, for the scanners that work on bytes (the leak detector,
/// pseudonym tokens, replay's fast paths) over arrays and buffer pointers alike.
enum ByteSearch {
    /// Offset of the first `needle` at or after `start`, or nil. `bytes` is indexed from 0.
    static func firstIndex<Bytes: RandomAccessCollection<UInt8>>(of needle: [UInt8], in bytes: Bytes, from start: Int) -> Int?
    where Bytes.Index == Int {
        guard let first = needle.first, bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == first, bytes[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `text` contains `needle`, without copying a native string's bytes.
    static func contains(_ needle: [UInt8], in text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { firstIndex(of: needle, in: $0, from: 0) != nil }
            ?? (firstIndex(of: needle, in: Array(text.utf8), from: 0) != nil)
    }
}
