import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SessproxyCore
import Synchronization

/// The pooled upstream connection. TLS is verified against the system roots plus an optional
/// extra CA; there is deliberately no switch to turn verification off. Redirects are not
/// followed and bodies are not decompressed here: the app must see exactly what Klarna sent.
public final class UpstreamClient: Service {
    public let configuration: UpstreamConfiguration
    private let client: HTTPClient
    private let forwarded = Atomic<Int>(0)
    /// The endpoint's `Host` value and URL prefix, worked out once rather than per request.
    private let hostHeader: String
    private let baseURL: String

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
    public init(configuration: UpstreamConfiguration) throws {
        self.configuration = configuration
        self.hostHeader = configuration.endpoint.hostHeader
        self.baseURL = configuration.endpoint.url(for: "")
        var tls = TLSConfiguration.makeClientConfiguration()
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
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: Self.connectionsPerUpstream),
            ignoreUncleanSSLShutdown: false,
            decompression: .disabled
        )
        clientConfiguration.httpVersion = .automatic
        // Fail fast when the upstream is down: the app gets a 502 at once instead of waiting
        // out the whole deadline while the pool retries with backoff.
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        // sessproxy emits no traces; without a tracer the client starts no span per request.
        clientConfiguration.tracing.tracer = nil
        // One write per forwarded request instead of the head and the body apart; the
        // connection initializer is the client's one hook into a new HTTP/1 connection's pipeline.
        clientConfiguration.http1_1ConnectionDebugInitializer = { channel in UpstreamFlushCoalescer.install(on: channel) }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
    }

    /// HTTP/1 connections the pool may hold to the upstream. Above the app's own concurrency in
    /// any staging setup: a lower cap queues the app's requests behind each other, and with a slow
    /// upstream every answer waits for the ones before it (64 made 128 concurrent requests to a
    /// 300 ms upstream take 606 ms each). Connections are opened only as requests need them.
    static let connectionsPerUpstream = 1024

    /// Requests sent upstream so far (0 proves that no upstream connection was opened).
    public var forwardedCount: Int { forwarded.load(ordering: .relaxed) }

    /// Sends one request and collects the answer, within the configured deadline and body limit.
    func send(method: String, target: String, headers: [HeaderField], body: ByteBuffer, bodyLimit: Int) async throws(UpstreamFailure) -> Answer {
        try await start(method: method, target: target, headers: headers, body: body, bodyLimit: bodyLimit).answer()
    }

    /// Puts one request on the wire and returns at once; `answer()` waits for the reply. In
    /// between the caller can work (recording redacts the request while the upstream answers).
    ///
    /// Uses the client's event-loop API with a collecting delegate: called from a connection's
    /// event loop (see `EventLoopPinnedChannel`) the body collection and the resumption stay on
    /// that loop, with no task or thread hop per request.
    func start(method: String, target: String, headers: [HeaderField], body: ByteBuffer, bodyLimit: Int) -> Call {
        let started = ContinuousClock.now
        // The one request the client refuses to write (RFC 9110 §9.3.8) is refused here, before it
        // counts as forwarded: health's `upstream_requests` and replay's `upstream_connections`
        // count only what went to the upstream.
        if body.readableBytes > 0, method == "TRACE" {
            return Call(response: .failure(HTTPClientError.traceRequestWithBody), started: started, bodyLimit: bodyLimit, configuration: configuration)
        }
        forwarded.add(1, ordering: .relaxed)
        var httpHeaders = HTTPHeaders()
        httpHeaders.reserveCapacity(headers.count + 1)
        for field in headers { httpHeaders.add(name: field.name, value: field.value) }
        httpHeaders.replaceOrAdd(name: "Host", value: hostHeader)
        let sendsBody = body.readableBytes > 0 || method == "POST" || method == "PUT" || method == "PATCH"
        let deadline = NIODeadline.now() + .nanoseconds(configuration.timeout.nanoseconds)
        let response: Result<EventLoopFuture<HTTPClient.Response>, any Error>
        do {
            let request = try HTTPClient.Request(
                url: baseURL + target, method: HTTPMethod(rawValue: method), headers: httpHeaders,
                body: sendsBody ? .byteBuffer(body) : nil)
            let preference: HTTPClient.EventLoopPreference =
                MultiThreadedEventLoopGroup.currentEventLoop.map { .delegate(on: $0) } ?? .indifferent
            let delegate = ResponseAccumulator(request: request, maxBodySize: bodyLimit)
            response = .success(client.execute(request: request, delegate: delegate, eventLoop: preference, deadline: deadline).futureResult)
        } catch {
            response = .failure(error)
        }
        return Call(response: response, started: started, bodyLimit: bodyLimit, configuration: configuration)
    }

    /// A request on its way; see `start`.
    struct Call: Sendable {
        fileprivate let response: Result<EventLoopFuture<HTTPClient.Response>, any Error>
        fileprivate let started: ContinuousClock.Instant
        fileprivate let bodyLimit: Int
        fileprivate let configuration: UpstreamConfiguration

        func answer() async throws(UpstreamFailure) -> Answer {
            do {
                let response = try await self.response.get().get()
                let answerHeaders = response.headers.map { HeaderField(name: $0.name, value: $0.value) }
                return Answer(
                    status: Int(response.status.code), reason: response.status.reasonPhrase, headers: answerHeaders,
                    body: response.body ?? ByteBuffer(), duration: .now - started)
            } catch is ResponseAccumulator.ResponseTooBigError {
                throw UpstreamFailure(
                    status: 502, code: SessproxyErrorCode.bodyTooLarge,
                    message: "upstream answer is larger than the \(bodyLimit)-byte body limit")
            } catch {
                throw UpstreamFailure.classify(error, endpoint: configuration.endpoint, timeout: configuration.timeout)
            }
        }
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
