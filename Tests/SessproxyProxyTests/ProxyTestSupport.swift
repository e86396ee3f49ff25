import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyTesting

#if canImport(Glibc)
import Glibc
import SessproxyServing
#endif

enum ProxyTestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "proxy-tests")
        logger.logLevel = .critical
        return logger
    }()

    static let key: [UInt8] = Array(repeating: 42, count: 32)
    static let basic = "Basic " + Data("merchant:secret-password".utf8).base64EncodedString()

    static func temporaryCassette() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-proxy-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("tape.sqlite").path
    }

    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    /// Runs a fake Klarna on a free port for the closure.
    static func withFakeKlarna<T: Sendable>(_ options: FakeKlarnaServer.Options = .init(), _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let port = ListeningPort()
        let server = try FakeKlarnaServer.make(options: options, logger: logger, onListening: port.callback)
        return try await ServiceHarness.run([server], logger: logger) {
            try await body(await port.wait())
        }
    }

    /// Runs a recording proxy in front of `upstream` for the closure; returns the cassette path too.
    static func withRecorder<T: Sendable>(
        upstream: String, cassette: String = temporaryCassette(), bodyLimit: Int = ProxyConfiguration.defaultBodyLimit,
        timeout: Duration = .seconds(5), ca: String? = nil, listenPort: Int = 0, _ body: @Sendable (Int, RecordingStack) async throws -> T
    ) async throws -> T {
        let stack = try RecordingStack(
            cassette: try Cassette.openOrCreate(path: cassette),
            upstream: .init(endpoint: try UpstreamEndpoint(parsing: upstream), timeout: timeout, additionalCAFile: ca),
            proxy: .init(listen: .init(host: "127.0.0.1", port: listenPort), bodyLimit: bodyLimit, cassettePath: cassette),
            redactionKey: key, logger: logger)
        return try await ServiceHarness.run(stack.services, logger: logger) {
            try await body(await stack.port.wait(), stack)
        }
    }

    /// A plain HTTP server on a free port answering with `respond` (for fault injection).
    static func withUpstream<T: Sendable>(
        _ respond: @escaping @Sendable (Request) async throws -> Response, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let port = ListeningPort()
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await respond(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await port.callback(channel.localAddress?.port ?? 0) },
            logger: logger)
        return try await ServiceHarness.run([app], logger: logger) { try await body(await port.wait()) }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONParser.parse(body) }
    }

    /// One request with a throwaway client that does not decompress, so tests see the wire.
    static func send(_ method: String, _ url: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            request.headers.add(name: "Authorization", value: basic)
            for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(20))
            let collected = try await response.body.collect(upTo: 50 * 1024 * 1024)
            try await client.shutdown()
            return Reply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// `rawExchange` on a thread of its own: blocking socket calls must never occupy the few
    /// threads of Swift's cooperative pool, which the server under test needs to answer.
    static func raw(port: Int, _ text: String, readTimeout: Int = 5) async -> String {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: (try? rawExchange(port: port, text, readTimeout: readTimeout)) ?? "")
            }
            thread.start()
        }
    }

    /// Raw bytes over TCP, for requests no HTTP client would send (absolute-form, CONNECT).
    static func rawExchange(port: Int, _ text: String, readTimeout: Int = 5) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: readTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard LoopbackSocket.connect(fd, port: port) else { return "" }
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
            if isCompleteResponse(output) { break }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `bytes` hold a whole response: head plus `Content-Length` bytes of body.
    private static func isCompleteResponse(_ bytes: [UInt8]) -> Bool {
        guard let head = HTTPMessageHead(in: bytes), let length = head.contentLength else { return false }
        return bytes.count - head.end >= length
    }

    static let createBody = #"""
        {"purchase_country":"GB","purchase_currency":"GBP","locale":"en-GB","order_amount":16697,"order_tax_amount":2783,
         "order_lines":[{"type":"physical","reference":"SKU-TR-4471-42","name":"Trail running shoe","quantity":2,"unit_price":8999,
           "tax_rate":2000,"total_amount":16198,"total_discount_amount":1800,"total_tax_amount":2700},
          {"type":"shipping_fee","reference":"SHIP-STD","name":"Standard delivery","quantity":1,"unit_price":499,"tax_rate":2000,
           "total_amount":499,"total_discount_amount":0,"total_tax_amount":83}],
         "billing_address":{"given_name":"Jane","family_name":"Doe","email":"jane.canary@example.com","phone":"+447700900123"},
         "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
           "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane.canary@example.com\"}]}"}}
        """#
}
