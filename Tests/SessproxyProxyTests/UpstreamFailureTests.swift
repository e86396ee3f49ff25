import NIOCore
import NIOHTTP1
import SessproxyCore
import Testing

@testable import SessproxyProxy

#if canImport(Glibc)
import Glibc
#endif

/// Upstream failures are classified by the error's type and code, never by its text.
@Suite struct UpstreamFailureTests {
    struct SaysReset: Error, CustomStringConvertible {
        var description: String { "connection reset by peer (errno: 104), handshake certificate refused" }
    }

    static let cases: [(any Error, Int, String)] = [
        (UpstreamConnectionError.deadlineExceeded, 504, SessproxyErrorCode.upstreamTimeout),
        (UpstreamConnectionError.closedBeforeAnswering, 502, SessproxyErrorCode.upstreamReset),
        (UpstreamConnectionError.closedMidAnswer, 502, SessproxyErrorCode.upstreamReset),
        (UpstreamConnectionError.answerTooLarge(limit: 8192), 502, SessproxyErrorCode.bodyTooLarge),
        (ChannelError.connectTimeout(.seconds(10)), 502, SessproxyErrorCode.upstreamUnreachable),
        (IOError(errnoCode: ECONNREFUSED, reason: "connect"), 502, SessproxyErrorCode.upstreamUnreachable),
        (IOError(errnoCode: ECONNRESET, reason: "read"), 502, SessproxyErrorCode.upstreamReset),
        (HTTPParserError.invalidEOFState, 502, SessproxyErrorCode.upstreamReset),
        (HTTPParserError.invalidConstant, 502, SessproxyErrorCode.upstreamInvalid),
        (ChannelError.ioOnClosedChannel, 502, SessproxyErrorCode.upstreamReset),
        (SaysReset(), 502, SessproxyErrorCode.upstreamUnreachable),
    ]

    @Test(arguments: cases.indices)
    func classifiedByType(_ index: Int) throws {
        let (error, status, code) = Self.cases[index]
        let failure = UpstreamFailure.classify(error, endpoint: try UpstreamEndpoint(parsing: "http://127.0.0.1:1"), timeout: .seconds(3))
        #expect(failure.status == status && failure.code == code, "\(error)")
    }
}
