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
        let answer = Self.requestClosingConnection(port: port)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "health answered: \(answer)")
        first.signal(SIGTERM)
        #expect(first.finish().status == 0)

        let second = try CLIRunner.start(arguments)
        defer {
            second.signal(SIGTERM)
            _ = second.finish()
        }
        do {
            try CLIRunner.waitUntilListening(port: port, process: second)
        } catch {
            second.signal(SIGTERM)
            let result = second.finish()
            Issue.record("the restart did not listen: exit \(result.status), stderr: \(result.stderr)")
        }
    }

    /// Started under a low soft limit on open files (a service manager's usual 1,024, here 256),
    /// a serving mode raises it to the hard limit so that concurrent requests do not run out.
    @Test func servingRaisesItsOpenFileLimit() throws {
        let hard = try #require(Self.openFileLimits(of: "self")).hard
        try #require(hard > 256, "this machine's hard limit (\(hard)) leaves nothing to raise")
        let directory = CLIRunner.temporaryDirectory()
        let port = LoopbackSocket.unusedPort()
        let command = "ulimit -S -n 256 && exec \"$0\" record --upstream http://127.0.0.1:1 --cassette \"$1\" --listen 127.0.0.1:\(port)"
        let recorder = try CLIRunner.start(["-c", command, CLIRunner.binary, directory + "/t.sqlite"], executable: "/bin/sh")
        defer {
            recorder.signal(SIGTERM)
            _ = recorder.finish()
        }
        try CLIRunner.waitUntilListening(port: port)
        let limits = try #require(Self.openFileLimits(of: String(recorder.process.processIdentifier)))
        #expect(limits.soft == min(hard, 65_536), "soft limit \(limits.soft), hard \(limits.hard)")
    }

    /// The "Max open files" soft and hard limits of a process, from `/proc/PID/limits`.
    static func openFileLimits(of process: String) -> (soft: Int, hard: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(process)/limits", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Max open files") })
        else { return nil }
        let fields = line.dropFirst("Max open files".count).split(separator: " ")
        guard fields.count >= 2 else { return nil }
        let soft = fields[0] == "unlimited" ? Int.max : Int(fields[0])
        let hard = fields[1] == "unlimited" ? Int.max : Int(fields[1])
        guard let soft, let hard else { return nil }
        return (soft, hard)
    }

    /// `METHOD path` (`GET` of health by default) with `Connection: close`, read until the
    /// server closes.
    static func requestClosingConnection(
        port: Int, method: String = "GET", path: String = "/__sessproxy/health", json: String? = nil, host: String = "127.0.0.1"
    ) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        guard LoopbackSocket.connect(fd, port: port) else { return "" }
        let content = json.map { "Content-Type: application/json\r\nContent-Length: \($0.utf8.count)\r\n\r\n\($0)" } ?? "\r\n"
        let request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\(content)".utf8)
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
