import AsyncHTTPClient
import Foundation
import NIOCore
import SessproxyCore
import SessproxyTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The record flow through the real binary: fake Klarna, record, SIGTERM, list/show.
@Suite struct CLIRecordTests {
    @Test func recordsUntilSIGTERMThenListsAndShows() async throws {
        let directory = CLIRunner.temporaryDirectory()
        let cassette = directory + "/flow.sqlite"
        let upstreamPort = LoopbackSocket.unusedPort()
        let proxyPort = LoopbackSocket.unusedPort()
        let fake = try CLIRunner.start(["fake-klarna", "--listen", "127.0.0.1:\(upstreamPort)"])
        defer {
            fake.signal(SIGTERM)
            _ = fake.finish()
        }
        try CLIRunner.waitUntilListening(port: upstreamPort)
        let recorder = try CLIRunner.start([
            "record", "--upstream", "http://127.0.0.1:\(upstreamPort)", "--cassette", cassette, "--listen", "127.0.0.1:\(proxyPort)",
        ])
        try CLIRunner.waitUntilListening(port: proxyPort)

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(proxyPort)/payments/v1/sessions")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Basic " + Data("K123:canary-password".utf8).base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"purchase_country":"SE","purchase_currency":"SEK","order_amount":100,"order_tax_amount":0,"order_lines":[{"reference":"A","name":"A","quantity":1,"unit_price":100,"total_amount":100}],"billing_address":{"email":"cli.canary@example.com"}}"#))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        try await client.shutdown()
        #expect(response.status.code == 200)
        let sessionID = try #require(try JSONParser.parse(Array(body.readableBytesView))["session_id"]?.stringValue)

        recorder.signal(SIGTERM)
        let stopped = recorder.finish()
        #expect(stopped.status == 0, "record exited \(stopped.status): \(stopped.stderr)")

        let list = try CLIRunner.run(["list", cassette, "--format", "json"])
        #expect(list.status == 0)
        let rows = try #require(try JSONParser.parse(list.stdout).arrayValue)
        #expect(rows.count == 1)
        #expect(rows[0]["operation"] == "create" && rows[0]["status"] == 200 && rows[0]["session_id"] == .string(sessionID))

        let show = try CLIRunner.run(["show", cassette, "1", "--format", "json"])
        #expect(show.status == 0)
        let exchange = try JSONParser.parse(show.stdout)
        #expect(exchange["request"]?["body"]?["billing_address"]?["email"]?.stringValue?.hasPrefix("redacted:") == true)
        #expect(!show.stdout.contains("cli.canary") && !show.stdout.contains("canary-password"))

        let missing = try CLIRunner.run(["show", cassette, "99"])
        #expect(missing.status == 2 && missing.stderr.contains("no exchange with id 99"))

        let permissions = try FileManager.default.attributesOfItem(atPath: cassette)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
    }

    /// A server that closed connections itself (`Connection: close`) leaves them in TIME_WAIT on
    /// its port for a minute; a restart on that port right away must still listen.
    @Test func restartsOnTheSamePortRightAfterServing() throws {
        let directory = CLIRunner.temporaryDirectory()
        let port = LoopbackSocket.unusedPort()
        let arguments = ["record", "--upstream", "http://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--listen", "127.0.0.1:\(port)"]
        let first = try CLIRunner.start(arguments)
        try CLIRunner.waitUntilListening(port: port)
        let answer = Self.healthClosingConnection(port: port)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "health answered: \(answer)")
        first.signal(SIGTERM)
        #expect(first.finish().status == 0)

        let second = try CLIRunner.start(arguments)
        defer {
            second.signal(SIGTERM)
            _ = second.finish()
        }
        let deadline = ContinuousClock.now + .seconds(20)
        var listening = false
        while !listening, second.process.isRunning, ContinuousClock.now < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            listening = LoopbackSocket.connect(fd, port: port)
            close(fd)
            if !listening { usleep(50_000) }
        }
        if !listening {
            second.signal(SIGTERM)
            let result = second.finish()
            Issue.record("the restart did not listen: exit \(result.status), stderr: \(result.stderr)")
        }
    }

    /// `GET /__sessproxy/health` with `Connection: close`, read until the server closes.
    static func healthClosingConnection(port: Int) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        guard LoopbackSocket.connect(fd, port: port) else { return "" }
        let request = Array("GET /__sessproxy/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}
