import CompressNIO
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
import Logging
import NIOCore
import ServiceLifecycle
import SessproxyCore
import SessproxyProxy
import Synchronization
import SessproxyServing

/// A local stand-in for the Klarna playground, serving `FakeKlarnaBehaviour` over HTTP.
/// With `gzip` on it compresses JSON answers for clients that accept gzip, and it answers
/// with chunked framing when `chunked` is on, so proxies meet both framings.
public enum FakeKlarnaServer {
    public struct Options: Sendable {
        public var listen: ListenAddress
        public var gzip: Bool
        public var chunked: Bool
        public var behaviour: FakeKlarnaBehaviour.Configuration
        /// Serve HTTPS with this configuration instead of plain HTTP.
        public var tls: TLSConfiguration?

        public init(
            listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 0), gzip: Bool = false, chunked: Bool = false,
            behaviour: FakeKlarnaBehaviour.Configuration = .init(), tls: TLSConfiguration? = nil
        ) {
            self.tls = tls
            self.listen = listen
            self.gzip = gzip
            self.chunked = chunked
            self.behaviour = behaviour
        }
    }

    public static func make(options: Options, logger: Logger = Logger(label: "fake-klarna"), onListening: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some Service {
        let state = Mutex(FakeKlarnaBehaviour(configuration: options.behaviour))
        let responder = CallbackResponder<BasicRequestContext> { request, context in
            var request = request
            let body = try await request.collectBody(upTo: 1024 * 1024)
            let headers = request.headers.map { HeaderField(name: $0.name.rawName, value: $0.value) }
            let target = request.head.path ?? "/"
            let reply = state.withLock { behaviour in
                behaviour.handle(method: request.method.rawValue, target: target, headers: headers, body: Array(body.readableBytesView))
            }
            var fields = HTTPFields(reply.headers)
            fields.append(HTTPField(name: .init("Server")!, value: "fake-klarna"))
            var payload = ByteBuffer(bytes: reply.body)
            let acceptsGzip = request.headers[.acceptEncoding]?.contains("gzip") ?? false
            if options.gzip, acceptsGzip, payload.readableBytes > 0 {
                payload = try payload.compress(with: .gzip())
                fields[.contentEncoding] = "gzip"
                fields.append(HTTPField(name: .vary, value: "Accept-Encoding"))
            }
            let status = HTTPResponse.Status(code: reply.status)
            if options.chunked, payload.readableBytes > 0 {
                let chunks = payload.readableBytes > 16 ? [payload.getSlice(at: payload.readerIndex, length: 16)!, payload.getSlice(at: payload.readerIndex + 16, length: payload.readableBytes - 16)!] : [payload]
                return Response(status: status, headers: fields, body: ResponseBody { writer in
                    for chunk in chunks { try await writer.write(chunk) }
                    try await writer.finish(nil)
                })
            }
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: payload))
        }
        let server: HTTPServerBuilder
        if let tls = options.tls {
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        return Application(
            responder: responder,
            server: server,
            configuration: .init(address: .hostname(options.listen.host, port: options.listen.port), serverName: nil, reuseAddress: true),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? options.listen.port) },
            logger: logger
        )
    }
}
