import Foundation
import SessproxyTesting
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 upstream that answers every request with a fixed create-session answer
/// and counts the connections it accepted: keep-alive reuse is seen from the upstream's side.
final class KeepAliveTCPServer: Sendable {
    /// How the upstream ends its kept-alive connections (never with a `Connection: close`
    /// warning).
    enum Behaviour: Sendable {
        /// Keeps each connection open for as many requests as come.
        case keepsConnectionsOpen
        /// Closes each connection right after answering on it, as an upstream whose idle
        /// timeout has just run out does.
        case closesIdleConnections
        /// Answers the first request on each connection; reads the next one and closes without
        /// answering: the idle timeout running out just as the request arrives.
        case closesAsTheNextRequestArrives
        /// Answers the first request on each connection; reads the next one and never answers
        /// it, keeping the connection open until the client closes it: an upstream that hangs.
        case stallsAfterTheFirstAnswer
    }

    let port: Int
    private let fd: Int32
    private let counts = Mutex<(connections: Int, requests: Int)>((0, 0))

    init(_ behaviour: Behaviour = .keepsConnectionsOpen) {
        let (listener, port) = LoopbackSocket.listener(backlog: 64)
        self.fd = listener
        self.port = port
        Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                counts.withLock { $0.connections += 1 }
                Thread { [self] in serve(client, behaviour: behaviour) }.start()
            }
        }.start()
    }

    var connections: Int { counts.withLock { $0.connections } }
    var requests: Int { counts.withLock { $0.requests } }

    private func serve(_ client: Int32, behaviour: Behaviour) {
        defer { close(client) }
        let body = #"{"session_id":"keep-alive-1","client_token":"token"}"#
        let answer = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var answered = 0
        while true {
            // One request: its head, then as many body bytes as its Content-Length says.
            while true {
                if let head = HTTPMessageHead(in: pending), case let length = head.end + (head.contentLength ?? 0), pending.count >= length {
                    pending.removeFirst(length)
                    break
                }
                let count = recv(client, &buffer, buffer.count, 0)
                if count <= 0 { return }
                pending += buffer[..<count]
            }
            counts.withLock { $0.requests += 1 }
            if behaviour == .closesAsTheNextRequestArrives, answered > 0 { return }
            if behaviour == .stallsAfterTheFirstAnswer, answered > 0 {
                while recv(client, &buffer, buffer.count, 0) > 0 {}
                return
            }
            _ = answer.withUnsafeBytes { send(client, $0.baseAddress, answer.count, Int32(MSG_NOSIGNAL)) }
            answered += 1
            if behaviour == .closesIdleConnections { return }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
