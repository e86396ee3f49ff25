import Foundation
import CompressNIO
import NIOCore

/// Undoes a `Content-Encoding` so the cassette holds the JSON the app's parser saw.
enum BodyDecoding {
    /// Decoded bytes, or nil when the encoding is unknown or the data is corrupt (then the
    /// raw bytes are stored and the encoding noted).
    static func decode(_ body: ByteBuffer, encoding: String?, limit: Int) -> [UInt8]? {
        guard let encoding = encoding?.lowercased().trimmingCharacters(in: .whitespaces), !encoding.isEmpty, encoding != "identity" else {
            return Array(body.readableBytesView)
        }
        let algorithms: [CompressionAlgorithm]
        switch encoding {
        case "gzip", "x-gzip": algorithms = [.gzip()]
        // `deflate` is zlib-wrapped by RFC 9110, and bare deflate data from some servers.
        case "deflate": algorithms = [.zlib(), .deflate()]
        default: return nil
        }
        guard body.readableBytes > 0 else { return [] }
        for algorithm in algorithms {
            var input = body
            if let output = try? input.decompress(with: algorithm, maxSize: limit) { return Array(output.readableBytesView) }
        }
        return nil
    }
}
