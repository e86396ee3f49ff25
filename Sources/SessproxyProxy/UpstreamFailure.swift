#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
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

    /// Classifies by the error's type and code — never by its text: timeouts are 504; a
    /// connection that could not be made is "unreachable"; one that broke is "reset"; TLS and
    /// HTTP parse failures say so.
    static func classify(_ error: any Error, endpoint: UpstreamEndpoint, timeout: Duration) -> UpstreamFailure {
        func unreachable(_ reason: String? = nil) -> UpstreamFailure {
            UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamUnreachable,
                message: "cannot connect to upstream \(endpoint): \(reason ?? Self.firstLine(String(describing: error)))")
        }
        func reset(_ what: String) -> UpstreamFailure {
            UpstreamFailure(status: 502, code: SessproxyErrorCode.upstreamReset, message: "upstream \(endpoint) \(what)")
        }
        switch error {
        case let connectionError as UpstreamConnectionError:
            switch connectionError {
            case .deadlineExceeded:
                return UpstreamFailure(
                    status: 504, code: SessproxyErrorCode.upstreamTimeout,
                    message: "upstream \(endpoint) did not answer within \(timeout.formattedSeconds)")
            case .closedBeforeAnswering, .closedWhenReused:
                return reset("closed the connection before answering")
            case .closedMidAnswer:
                return reset("closed the connection in the middle of its answer")
            case .answerTooLarge(let limit):
                return UpstreamFailure(
                    status: 502, code: SessproxyErrorCode.bodyTooLarge, message: "upstream answer is larger than the \(limit)-byte body limit")
            }
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            let words = TLSFailureText.words(String(describing: error))
            let hint = words == "certificate verify failed" ? " (\(TLSFailureText.verifyHint); trust another with --upstream-ca)" : ""
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamTLS, message: "TLS with upstream \(endpoint) failed: \(words)\(hint)")
        case let parserError as HTTPParserError:
            // The decoder's name for an answer cut short by a close: the same failure as the pool's.
            if parserError == .invalidEOFState { return classify(UpstreamConnectionError.closedMidAnswer, endpoint: endpoint, timeout: timeout) }
            return UpstreamFailure(
                status: 502, code: SessproxyErrorCode.upstreamInvalid, message: "upstream \(endpoint) sent an answer that is not valid HTTP")
        case let ioError as IOError:
            switch ioError.errnoCode {
            case ECONNRESET, EPIPE, ECONNABORTED: return reset("reset the connection (\(Self.firstLine(String(describing: error))))")
            default: return unreachable(Self.systemText(ioError.errnoCode))
            }
        case let connectionError as NIOConnectionError:
            // Nothing to connect to: say the name did not resolve, not NIO's type names.
            if connectionError.connectionErrors.isEmpty, let dnsError = connectionError.dnsAError ?? connectionError.dnsAAAAError {
                let reason = (dnsError as? SocketAddressError.UnknownHost)?.errorDescription ?? Self.firstLine(String(describing: dnsError))
                return UpstreamFailure(
                    status: 502, code: SessproxyErrorCode.upstreamUnreachable,
                    message: "cannot connect to upstream \(endpoint): cannot resolve \(connectionError.host) (\(reason))")
            }
            // Each address tried failed: the first one's reason, in the system's words.
            if let first = connectionError.connectionErrors.first {
                let reason = (first.error as? IOError).map { Self.systemText($0.errnoCode) } ?? Self.firstLine(String(describing: first.error))
                let address = first.target.ipAddress.map { " (\($0) port \(first.target.port ?? endpoint.port))" } ?? ""
                return unreachable(reason + address)
            }
            return unreachable()
        case let channelError as ChannelError:
            switch channelError {
            case .connectTimeout(let limit): return unreachable("no connection within \(limit.nanoseconds / 1_000_000) ms")
            case .ioOnClosedChannel, .eof, .outputClosed, .alreadyClosed: return reset("closed the connection (\(channelError))")
            default: return unreachable()
            }
        default:
            return unreachable()
        }
    }

    /// The request came back to the stack that forwarded it (`ForwardingMark`).
    static func forwardingLoop(endpoint: UpstreamEndpoint) -> UpstreamFailure {
        UpstreamFailure(
            status: 508, code: SessproxyErrorCode.forwardingLoop,
            message: "upstream \(endpoint) sent the request back to this sessproxy: the upstream is its own listen address, or a proxy that forwards back to it")
    }

    /// What sessproxy refuses to send itself (RFC 9110 §9.3.8): its own 400, nothing was tried.
    static func traceWithBody(endpoint: UpstreamEndpoint) -> UpstreamFailure {
        UpstreamFailure(
            status: 400, code: SessproxyErrorCode.requestRefused,
            message: "a TRACE request must not have a body (RFC 9110 §9.3.8); nothing was sent to \(endpoint)")
    }

    /// `strerror`'s words for an errno ("Connection refused").
    private static func systemText(_ code: Int32) -> String {
        String(cString: strerror(code))
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
