import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SessproxyCore
import Synchronization

/// The pooled upstream connections (`UpstreamConnectionPool`: HTTP/1.1 keep-alive on SwiftNIO's
/// own codec). TLS is verified against the system roots plus an optional extra CA; there is
/// deliberately no switch to turn verification off. Redirects are not followed and bodies are
/// not decompressed here: the app must see exactly what Klarna sent.
public final class UpstreamClient: Service {
    public let configuration: UpstreamConfiguration
    /// The `Via` entry on everything this client forwards; the server of the same stack refuses
    /// requests that carry it (`ForwardingMark`).
    public let mark: ForwardingMark
    private let pool: UpstreamConnectionPool
    private let forwarded = Atomic<Int>(0)
    /// The endpoint's `Host` value and path prefix, worked out once rather than per request.
    private let hostHeader: String
    private let basePath: String
    /// The endpoint as every recorded row names it (`UpstreamEndpoint.description`), once.
    public let endpointText: String

    public struct Answer: Sendable {
        public var status: Int
        public var reason: String
        public var headers: [HeaderField]
        public var body: ByteBuffer
        public var duration: Duration

        /// Headers as the app gets them: no hop-by-hop headers, and no `Content-Length` (the
        /// server frames the body itself).
        public var headersForClient: [HeaderField] {
            HeaderPolicy.forwardedResponseHeaders(headers)
        }
    }

    public struct CAError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): cannot use as upstream CA (\(reason))" }
    }

    /// Fails when `additionalCAFile` is missing or holds no PEM certificate.
    public init(configuration: UpstreamConfiguration, mark: ForwardingMark = .random()) throws {
        self.configuration = configuration
        self.mark = mark
        self.hostHeader = configuration.endpoint.hostHeader
        self.basePath = configuration.endpoint.basePath
        self.endpointText = configuration.endpoint.description
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.applicationProtocols = ["http/1.1"]
        if let caFile = configuration.additionalCAFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else { throw CAError(path: caFile, reason: "no such readable file") }
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw CAError(path: caFile, reason: "not a PEM certificate")
            }
            guard !certificates.isEmpty else { throw CAError(path: caFile, reason: "no certificate in file") }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        let context: NIOSSLContext?
        if configuration.endpoint.scheme == .https {
            do {
                context = try NIOSSLContext(configuration: tls)
            } catch {
                throw CAError(path: configuration.additionalCAFile ?? "TLS", reason: "\(error)")
            }
        } else {
            context = nil
        }
        pool = UpstreamConnectionPool(endpoint: configuration.endpoint, tls: context)
    }

    /// Requests sent upstream so far (0 proves that no upstream connection was opened).
    public var forwardedCount: Int { forwarded.load(ordering: .relaxed) }

    /// Sends one request and collects the answer, within the configured deadline and body limit.
    func send(method: String, target: String, headers: [HeaderField], body: ByteBuffer, bodyLimit: Int) async throws(UpstreamFailure) -> Answer {
        try await start(method: method, target: target, headers: headers, body: body, bodyLimit: bodyLimit).answer()
    }

    /// Puts one request on the wire and returns at once; `answer()` waits for the reply. In
    /// between the caller can work (recording redacts the request while the upstream answers).
    ///
    /// Called from a connection's event loop (see `EventLoopPinnedChannel`), the request goes out
    /// on a connection of that loop and the answer is collected there, with no task or thread hop.
    func start(method: String, target: String, headers: [HeaderField], body: ByteBuffer, bodyLimit: Int) -> Call {
        let started = ContinuousClock.now
        // The one request a client must not write (RFC 9110 §9.3.8) is refused here, before it
        // counts as forwarded: health's `upstream_requests` and replay's `upstream_connections`
        // count only what went to the upstream.
        if body.readableBytes > 0, method == "TRACE" {
            return Call(
                response: .failure(UpstreamFailure.traceWithBody(endpoint: configuration.endpoint)), started: started, configuration: configuration,
                mark: mark)
        }
        forwarded.add(1, ordering: .relaxed)
        var httpHeaders = HTTPHeaders()
        httpHeaders.reserveCapacity(headers.count + 3)
        httpHeaders.add(name: "Host", value: hostHeader)
        for field in headers { httpHeaders.add(name: field.name, value: field.value) }
        httpHeaders.add(name: "Via", value: mark.viaValue)
        let sendsBody = body.readableBytes > 0 || method == "POST" || method == "PUT" || method == "PATCH"
        if sendsBody { httpHeaders.add(name: "Content-Length", value: String(body.readableBytes)) }
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: basePath + target, headers: httpHeaders)
        let deadline = NIODeadline.now() + .nanoseconds(configuration.timeout.nanoseconds)
        let answer = pool.execute(head, body: sendsBody ? body : nil, limit: bodyLimit, deadline: deadline)
        return Call(response: .success(answer), started: started, configuration: configuration, mark: mark)
    }

    /// A request on its way; see `start`.
    struct Call: Sendable {
        fileprivate let response: Result<EventLoopFuture<UpstreamConnectionHandler.Answer>, UpstreamFailure>
        fileprivate let started: ContinuousClock.Instant
        fileprivate let configuration: UpstreamConfiguration
        fileprivate let mark: ForwardingMark

        func answer() async throws(UpstreamFailure) -> Answer {
            let future = try response.get()
            do {
                let answer = try await future.get()
                // This stack's own refusal of its own request: sessproxy's answer, not Klarna's.
                if answer.head.headers[ForwardingMark.answerHeaderName].contains(mark.token) {
                    throw UpstreamFailure.forwardingLoop(endpoint: configuration.endpoint)
                }
                let answerHeaders = answer.head.headers.map { HeaderField(name: $0.name, value: $0.value) }
                return Answer(
                    status: Int(answer.head.status.code), reason: answer.head.status.reasonPhrase, headers: answerHeaders,
                    body: answer.body, duration: .now - started)
            } catch let failure as UpstreamFailure {
                throw failure
            } catch {
                throw UpstreamFailure.classify(error, endpoint: configuration.endpoint, timeout: configuration.timeout)
            }
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        pool.closeIdle()
    }
}
