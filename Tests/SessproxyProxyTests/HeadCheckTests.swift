import Foundation
import SessproxyCore
import Testing

@testable import SessproxyProxy

/// A load balancer's HEAD check of health and metrics is answered as GET without the body.
@Suite struct HeadCheckTests {
    typealias Support = ProxyTestSupport

    @Test func healthAndMetricsAnswerHead() async throws {
        try await Support.withFakeKlarna { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)") { port, _ in
                for path in ["/__sessproxy/health", "/__sessproxy/metrics"] {
                    let answer = await Support.raw(port: port, "HEAD \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", readTimeout: 2)
                    #expect(answer.hasPrefix("HTTP/1.1 200"), "\(path): \(answer.prefix(200))")
                    let parts = answer.components(separatedBy: "\r\n\r\n")
                    let length = parts[0].split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    #expect(length.map { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0 } ?? 0 > 0, "\(path): \(parts[0])")
                    #expect(parts.count == 2 && parts[1].isEmpty, "\(path): a body came: \(answer.suffix(100))")
                }
            }
        }
    }
}
