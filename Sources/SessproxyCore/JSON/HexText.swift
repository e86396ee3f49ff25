/// Lower-case hexadecimal text of bytes: pseudonyms, match keys and replay stand-in tokens all
/// spell digests the same way.
enum HexText {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends two hex digits per byte to `text`.
    static func append<Bytes: Sequence>(_ bytes: Bytes, to text: inout [UInt8]) where Bytes.Element == UInt8 {
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
    }

    static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }
}
