import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SessproxyCore

/// The HTTP front door shared by every serving mode: answers `/__sessproxy/health` and
/// `/__sessproxy/metrics` itself, refuses open-proxy use, collects the body within the limit,
/// and hands everything else to the mode's `ExchangeHandler`.
struct ProxyResponder<Handler: ExchangeHandler>: HTTPResponder {
    typealias Context = BasicRequestContext

    let handler: Handler
    /// The inspector's page and API, when the mode serves them.
    let inspector: (any InspectorService)?
    /// Health members and Prometheus lines of services beside the handler (inspector, shipper).
    let additionalHealth: @Sendable () -> [JSONMember]
    let additionalMetrics: @Sendable () -> String
    /// What the mode's own upstream client marks its requests with, when it forwards any.
    let forwardingMark: ForwardingMark?
    let configuration: ProxyConfiguration
    let metrics: ProxyMetrics
    let started = ContinuousClock.now
    let counters = RequestCounters()
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let target = request.head.path ?? "/"
        if target.hasPrefix("/__sessproxy/") || target == "/__sessproxy" {
            return try await internalRoute(request, target: target)
        }
        let headers = HeaderPolicy.forwardedRequestHeaders(request.headers.map { HeaderField(name: $0.name.rawName, value: $0.value) })
        if let forwardingMark, forwardingMark.isCarried(by: headers) {
            // Sent by this very stack: answered here, or it would be forwarded again for ever.
            let route = KlarnaRouteClassifier.classify(method: request.method.rawValue, target: target)
            let answer = ProxyResponse.klarnaError(
                status: 508,
                KlarnaErrorBody(
                    errorCode: SessproxyErrorCode.forwardingLoop,
                    errorMessages: [
                        "This request came back to the sessproxy that forwarded it: its upstream is its own listen address, or a proxy that forwards back to it"
                    ]),
                operation: route.operation, extraHeaders: [HeaderField(name: ForwardingMark.answerHeaderName, value: forwardingMark.token)])
            metrics.request(operation: answer.operation, status: answer.status)
            return Self.makeResponse(answer, closeConnection: false)
        }
        counters.began()
        defer { counters.ended() }

        var request = request
        var tooLarge = false
        var body = ByteBuffer()
        if ProxyConfiguration.declaresTooLargeBody(request.headers[.contentLength], bodyLimit: configuration.bodyLimit) {
            tooLarge = true
        } else {
            do {
                body = try await request.collectBody(upTo: configuration.bodyLimit)
            } catch is NIOTooManyBytesError {
                tooLarge = true
            }
        }
        let proxyRequest = ProxyRequest(
            method: request.method.rawValue, target: target, headers: headers, body: body, bodyTooLarge: tooLarge,
            receivedAt: .now, receivedAtDate: Date())
        let answer = await handler.handle(proxyRequest)
        metrics.request(operation: answer.operation, status: answer.status)
        return Self.makeResponse(answer, closeConnection: tooLarge)
    }

    private func internalRoute(_ request: Request, target: String) async throws -> Response {
        let path = KlarnaRouteClassifier.pathOnly(target)
        if let inspector, path == "/__sessproxy/ui" || path.hasPrefix("/__sessproxy/ui/") || path.hasPrefix("/__sessproxy/api/") {
            let parsed = InspectorRequest.parse(target: target)
            let answer = await inspector.respond(to: InspectorRequest(
                method: request.method.rawValue, path: parsed.path, query: parsed.query, host: request.head.authority,
                cookie: request.headers[values: .cookie].joined(separator: "; "), authorization: request.headers[.authorization],
                ifNoneMatch: request.headers[.ifNoneMatch]))
            return Self.makeResponse(answer, head: request.method == .head)
        }
        // HEAD (a load balancer's check) is answered as GET, without the body.
        let head = request.method == .head
        switch (head ? .get : request.method, path) {
        case (.get, "/__sessproxy/health"):
            let document = JSONValue.object(
                [
                    JSONMember(key: "status", value: "ok"),
                    JSONMember(key: "mode", value: .string(handler.mode)),
                    JSONMember(key: "cassette", value: .string(configuration.cassettePath)),
                    JSONMember(key: "listen", value: .string(configuration.listen.description)),
                    JSONMember(key: "requests", value: .number(String(counters.served))),
                    JSONMember(key: "in_flight", value: .number(String(counters.inFlight))),
                    JSONMember(
                        key: "uptime_seconds", value: .number(String(format: "%.3f", Double((ContinuousClock.now - started).nanoseconds) / 1e9))),
                ] + handler.healthMembers() + additionalHealth())
            return Self.makeResponse(
                ProxyResponse(
                    status: 200, headers: [HeaderField(name: "Content-Type", value: "application/json")],
                    body: ByteBuffer(bytes: JSONSerializer.bytes(document, style: .compact)), operation: .other),
                closeConnection: false, head: head)
        case (.get, "/__sessproxy/metrics"):
            return Self.makeResponse(
                ProxyResponse(
                    status: 200, headers: [HeaderField(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")],
                    body: ByteBuffer(string: metrics.exposition() + handler.metricsExposition() + additionalMetrics()), operation: .other),
                closeConnection: false, head: head)
        default:
            if request.method == .get || head, let document = handler.report(named: String(path.dropFirst("/__sessproxy/".count))) {
                return Self.makeResponse(
                    ProxyResponse(
                        status: 200, headers: [HeaderField(name: "Content-Type", value: "application/json")],
                        body: ByteBuffer(bytes: JSONSerializer.bytes(document, style: .pretty)), operation: .other),
                    closeConnection: false, head: head)
            }
            let error = KlarnaErrorBody(
                errorCode: SessproxyErrorCode.notFound,
                errorMessages: [
                    "\(request.method.rawValue) \(path) is not a sessproxy endpoint; known: GET /__sessproxy/health, GET /__sessproxy/metrics"
                        + (inspector == nil ? "" : ", GET /__sessproxy/ui/ (token required)")
                ])
            return Self.makeResponse(.klarnaError(status: 404, error, operation: .other), closeConnection: false)
        }
    }

    /// An inspector answer: whole, or a stream of server-sent events written as they come.
    static func makeResponse(_ answer: InspectorResponse, head: Bool) -> Response {
        let fields = HTTPFields(answer.headers)
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.body {
        case .bytes(let bytes):
            return Response(status: status, headers: fields, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .stream(let stream):
            return Response(status: status, headers: fields, body: ResponseBody { writer in
                for await chunk in stream {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
        }
    }

    /// `head`: the answer to a HEAD request, its `Content-Length` that of the body it leaves out.
    static func makeResponse(_ answer: ProxyResponse, closeConnection: Bool, head: Bool = false) -> Response {
        var fields = HTTPFields(answer.headers)
        if closeConnection { fields[.connection] = "close" }
        let status = HTTPResponse.Status(code: answer.status, reasonPhrase: answer.reason ?? HTTPResponse.Status(code: answer.status).reasonPhrase)
        guard !head else {
            fields[.contentLength] = String(answer.body.readableBytes)
            return Response(status: status, headers: fields, body: ResponseBody())
        }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: answer.body))
    }
}

extension HTTPFields {
    /// Header fields from a recorded header list, in order; names HTTP does not allow are skipped.
    public init(_ headers: [HeaderField]) {
        self.init()
        for header in headers {
            guard let name = HTTPField.Name(header.name) else { continue }
            append(HTTPField(name: name, value: header.value))
        }
    }
}
