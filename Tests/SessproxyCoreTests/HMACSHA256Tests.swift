import Testing
@testable import SessproxyCore

/// The hand-keyed HMAC behind every pseudonym, against RFC 4231's test vectors: a key shorter
/// than the block, a short text key, and one longer than the block (hashed first).
@Suite struct HMACSHA256Tests {
    @Test(arguments: [
        (Array(repeating: UInt8(0x0B), count: 20), "Hi There",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (Array(repeating: UInt8(0xAA), count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    ])
    func matchesRFC4231(key: [UInt8], message: String, expected: String) {
        let code = Array(message.utf8).withUnsafeBytes { HMACSHA256(key: key).code(of: $0) }
        #expect(HexText.string(code) == expected)
    }

    @Test func theSameStateServesManyMessages() {
        let mac = HMACSHA256(key: Array("Jefe".utf8))
        let first = Array("Hi There".utf8).withUnsafeBytes { HexText.string(mac.code(of: $0)) }
        _ = Array("something else".utf8).withUnsafeBytes { mac.code(of: $0) }
        let again = Array("Hi There".utf8).withUnsafeBytes { HexText.string(mac.code(of: $0)) }
        #expect(first == again)
        #expect(first != Array("Hi There!".utf8).withUnsafeBytes { HexText.string(mac.code(of: $0)) })
    }
}
