import Foundation
import NIOCore
import SessproxyCore
import SessproxyTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SessproxyProxy

/// A request whose body never finished arriving is not forwarded: the upstream would act on a
/// truncated body (a create Klarna makes and the app never sees), and the cassette would hold it.
@Suite struct IncompleteRequestTests {
    typealias Support = ProxyTestSupport

    /// Sends `text` and closes the connection without reading.
    static func sendAndClose(port: Int, _ text: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        guard LoopbackSocket.connect(fd, port: port) else { return }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        usleep(50_000)
    }

    @Test func aBodyCutShortIsNeverForwarded() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, stack in
                let body = Support.createBody
                let head = "POST /payments/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\nContent-Type: application/json\r\n"
                Self.sendAndClose(port: port, head + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(40)))
                Self.sendAndClose(port: port, head + "Transfer-Encoding: chunked\r\n\r\n28\r\n" + String(body.prefix(40)) + "\r\n")
                // A whole request on a new connection is still served, and is the only one forwarded.
                let whole = await Support.raw(port: port, head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
                #expect(whole.hasPrefix("HTTP/1.1 200"), "\(whole.prefix(200))")
                try await Task.sleep(for: .milliseconds(300))
                #expect(stack.upstream.forwardedCount == 1)
                #expect(stack.writer.recordedCount == 1)
            }
        }
    }
}
