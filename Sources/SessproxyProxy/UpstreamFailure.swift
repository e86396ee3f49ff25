import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL
import SessproxyCore

/// Why an upstream call produced no usable answer, and the Klarna-shaped error the app gets
/// instead: 504 when the upstream was too slow, 400 when the request itself cannot be sent
/// (nothing was tried, the upstream is not at fault), 502 for everything else.
struct UpstreamFailure: Error, Sendable {
    var status: Int
    var code: String
    var message: String

    /// The Klarna-shaped body the app gets instead of an upstream answer.
    var errorBody: KlarnaErrorBody {
        KlarnaErrorBody(errorCode: code, errorMessages: [message])
    }

    static func classify(_ error: any Error, endpoint: UpstreamEndpoint, timeout: Duration) -> UpstreamFailure {
        let text = String(describing: error)
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return UpstreamFailure(
                    status: 504, code: SessproxyErrorCode.upstreamTimeout,
                    message: "upstream \(endpoint) did not answer within \(timeout.formattedSeconds)")
            case .remoteConnectionClosed:
                return UpstreamFailure(
                    status: 502, code: SessproxyErrorCode.upstreamReset,
                    message: "upstream \(endpoint) closed the connection before answering")
            case .cancelled:
                return UpstreamFailure(status: 502, code: SessproxyErrorCode.upstreamReset, message: "upstream call to \(endpoint) was cancelled")
            case .traceRequestWithBody:
                return UpstreamFailure(
                    status: 400, code: SessproxyErrorCode.requestRefused,
                    message: "a TRACE request must not have a body (RFC 9110 §9.3.8); nothing was sent to \(endpoint)")
            default:
                break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || text.contains("handshake") || text.contains("certificate") {
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamTLS,
                message: "TLS with upstream \(endpoint) failed: \(Self.firstLine(text))")
        }
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamReset,
                message: "upstream \(endpoint) closed the connection in the middle of its answer")
        }
        if error is HTTPParserError || text.contains("HTTPParserError") {
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamInvalid,
                message: "upstream \(endpoint) sent an answer that is not valid HTTP")
        }
        if text.localizedCaseInsensitiveContains("refused") || text.contains("errno: 111") || text.contains("NIOConnectionError")
            || text.localizedCaseInsensitiveContains("host") && text.localizedCaseInsensitiveContains("not")
        {
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamUnreachable,
                message: "cannot connect to upstream \(endpoint): \(Self.firstLine(text))")
        }
        if text.localizedCaseInsensitiveContains("reset") || text.contains("ioOnClosedChannel") || text.contains("EOF") {
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamReset,
                message: "upstream \(endpoint) reset the connection (\(Self.firstLine(text)))")
        }
        return UpstreamFailure(
            status: 502, code: SessproxyErrorCode.upstreamUnreachable,
            message: "cannot connect to upstream \(endpoint): \(Self.firstLine(text))")
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? text
        return line.count > 200 ? String(line.prefix(200)) : line
    }
}

extension Duration {
    var formattedSeconds: String {
        let seconds = Double(nanoseconds) / 1e9
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}
