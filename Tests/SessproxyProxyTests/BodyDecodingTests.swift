import CompressNIO
import NIOCore
import Testing

@testable import SessproxyProxy

/// The cassette stores an answer decoded whatever deflate a server meant: zlib-wrapped as RFC
/// 9110 says, or bare; gzip as is; a coding it does not know is left to the caller.
@Suite struct BodyDecodingTests {
    static let json = #"{"session_id":"s-1","client_token":"t"}"#

    @Test(arguments: ["gzip", "deflate-zlib", "deflate-raw"])
    func decodes(kind: String) throws {
        var input = ByteBuffer(string: Self.json)
        let algorithm: CompressionAlgorithm = kind == "gzip" ? .gzip() : kind == "deflate-zlib" ? .zlib() : .deflate()
        let encoded = try input.compress(with: algorithm)
        let decoded = BodyDecoding.decode(encoded, encoding: kind == "gzip" ? "gzip" : "deflate", limit: 1 << 20)
        #expect(decoded == Array(Self.json.utf8))
    }

    @Test func anUnknownCodingIsNotGuessed() {
        #expect(BodyDecoding.decode(ByteBuffer(string: Self.json), encoding: "br", limit: 1 << 20) == nil)
        #expect(BodyDecoding.decode(ByteBuffer(string: Self.json), encoding: "identity", limit: 1 << 20) == Array(Self.json.utf8))
    }
}
