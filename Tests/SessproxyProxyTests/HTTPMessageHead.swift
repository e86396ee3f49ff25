/// Where an HTTP/1.1 message's head ends in bytes read so far, and the body length it declares:
/// what the tests' raw sockets need to tell one whole request or answer from the next.
struct HTTPMessageHead {
    /// Offset just past the blank line that ends the head.
    let end: Int
    /// `Content-Length`, nil when the head has none.
    let contentLength: Int?

    /// Nil while the head is not complete.
    init?(in bytes: [UInt8]) {
        guard bytes.count >= 4,
            let index = (0...(bytes.count - 4)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 })
        else { return nil }
        end = index + 4
        let lines = String(decoding: bytes[..<index], as: UTF8.self).lowercased().split(separator: "\r\n")
        contentLength = lines.first(where: { $0.hasPrefix("content-length:") })
            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
    }
}
