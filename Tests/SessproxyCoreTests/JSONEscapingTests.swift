import Testing
@testable import SessproxyCore

@Suite struct JSONEscapingTests {
    /// The eight-bytes-at-a-time test agrees with a byte-by-byte one at every length and
    /// position, for each byte value: controls, quote and backslash escape, the rest (also
    /// 0x7F and UTF-8 continuation bytes) does not.
    @Test func wordAtATimeEscapeTestAgreesWithByteByByte() {
        for length in 1...19 {
            for position in 0..<length {
                for byte in UInt8.min...UInt8.max {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = byte
                    let expected = byte < 0x20 || byte == 0x22 || byte == 0x5C
                    let found = bytes.withUnsafeBufferPointer(JSONSerializer.needsEscaping)
                    if found != expected { Issue.record("byte \(byte) at \(position) of \(length): \(found)") }
                }
            }
        }
    }

    @Test func stringsWithEscapesRoundTripInEveryStyle() throws {
        let text = "line\none \"quoted\" back\\slash\ttab \u{01} café 😀 and a long plain tail without escapes"
        for style in [JSONSerializer.Style.compact, .canonical, .pretty] {
            let bytes = JSONSerializer.bytes(.object([JSONMember(key: "k\"ey", value: .string(text))]), style: style)
            #expect(try JSONParser.parse(bytes) == .object([JSONMember(key: "k\"ey", value: .string(text))]))
        }
    }
}
