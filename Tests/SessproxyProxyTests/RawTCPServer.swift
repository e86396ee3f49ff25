import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server that answers every connection with fixed bytes and then closes:
/// the misbehaving upstreams (reset mid-answer, not HTTP at all) that real servers won't play.
final class RawTCPServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let thread: Thread

    init(reply: [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 16)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let listener = fd
        thread = Thread {
            RawTCPServer.serve(listener: listener, reply: reply)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        thread.start()
    }

    private static func serve(listener: Int32, reply: [UInt8]) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            var buffer = [UInt8](repeating: 0, count: 65536)
            _ = recv(client, &buffer, buffer.count, 0)
            _ = reply.withUnsafeBytes { Glibc.send(client, $0.baseAddress, reply.count, Int32(MSG_NOSIGNAL)) }
            shutdown(client, Int32(SHUT_RDWR))
            close(client)
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
