import Foundation
import SessproxyTesting

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
        let (listener, port) = LoopbackSocket.listener()
        self.fd = listener
        self.port = port
        thread = Thread {
            RawTCPServer.serve(listener: listener, reply: reply)
        }
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
