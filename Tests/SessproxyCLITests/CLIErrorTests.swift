import Foundation
import SessproxyTesting
import Testing

/// Every user error is one line on stderr and exit code 2 — never a stack trace.
@Suite struct CLIErrorTests {
    static func expectOneLineError(_ result: CLIRunner.Result, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 2, "exit \(result.status), stderr: \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr was: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "stderr was: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
    }

    @Test func helpExitsZero() throws {
        let result = try CLIRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("record"))
    }

    @Test func missingRequiredOptionIsExit2() throws {
        Self.expectOneLineError(try CLIRunner.run(["record", "--cassette", "x.sqlite"]), containing: "--upstream")
    }

    @Test func unknownOptionIsExit2() throws {
        Self.expectOneLineError(try CLIRunner.run(["list", "x.sqlite", "--frobnicate"]), containing: "frobnicate")
    }

    @Test func badUpstreamURLIsExit2() throws {
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "ftp://klarna", "--cassette", "x.sqlite"]), containing: "invalid upstream URL")
    }

    @Test func badListenAddressIsExit2() throws {
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", "x.sqlite", "--listen", "nope"]),
            containing: "invalid listen address")
    }

    @Test func missingCassetteIsExit2() throws {
        Self.expectOneLineError(try CLIRunner.run(["list", "/nonexistent/tape.sqlite"]), containing: "no such cassette file")
    }

    @Test func notACassetteIsExit2() throws {
        let directory = CLIRunner.temporaryDirectory()
        let garbage = directory + "/garbage.sqlite"
        _ = FileManager.default.createFile(atPath: garbage, contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        Self.expectOneLineError(try CLIRunner.run(["list", garbage]), containing: "not a sessproxy cassette")
        Self.expectOneLineError(try CLIRunner.run(["show", garbage, "1"]), containing: "not a sessproxy cassette")
        Self.expectOneLineError(try CLIRunner.run(["sessions", garbage]), containing: "not a sessproxy cassette")
    }

    @Test func missingUpstreamCAIsExit2() throws {
        let directory = CLIRunner.temporaryDirectory()
        Self.expectOneLineError(
            try CLIRunner.run([
                "record", "--upstream", "https://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--upstream-ca", directory + "/none.pem",
                "--listen", "127.0.0.1:0",
            ]),
            containing: "none.pem")
        #expect(!FileManager.default.fileExists(atPath: directory + "/t.sqlite"))
    }

    @Test(arguments: [
        ("paths: [\"a..b\"]\n", "invalid JSON path"),
        ("colour: blue\n", "unknown key 'colour'"),
        ("formats:\n  merchant_reference2: postcode\n", "unknown format 'postcode'"),
        ("paths: \"x\"\n", "'paths' must be a list of strings"),
        ("paths: [[a]]\n", "'paths[0]' must be a string"),
        ("formats: [a]\n", "'formats' must be a mapping from JSON paths to format names"),
    ])
    func invalidRedactionConfigIsExit2(_ yaml: String, _ message: String) throws {
        let directory = CLIRunner.temporaryDirectory()
        let config = directory + "/redaction.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        Self.expectOneLineError(
            try CLIRunner.run([
                "record", "--upstream", "http://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--redaction-config", config,
                "--listen", "127.0.0.1:0",
            ]),
            containing: message)
    }

    @Test func portInUseIsExit2() throws {
        let port = LoopbackSocket.unusedPort()
        let directory = CLIRunner.temporaryDirectory()
        let fake = try CLIRunner.start(["fake-klarna", "--listen", "127.0.0.1:\(port)"])
        defer {
            fake.signal(SIGTERM)
            _ = fake.finish()
        }
        try CLIRunner.waitUntilListening(port: port)
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--listen", "127.0.0.1:\(port)"]),
            containing: "address already in use")
        // The run made the cassette and could not start: no empty file of its own is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        // One that was there before stays, with what it holds.
        let (_, existing) = try CLIToolingTests.importedCassette()
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", existing, "--listen", "127.0.0.1:\(port)"]),
            containing: "address already in use")
        #expect(try CLIToolingTests.listSummary(existing).count == 3)
    }

    @Test func anUpstreamWithoutForwardingMissesIsExit2() throws {
        Self.expectOneLineError(
            try CLIRunner.run(["replay", "--cassette", "/nonexistent/t.sqlite", "--upstream", "http://127.0.0.1:1"]),
            containing: "--upstream goes with --on-miss forward")
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://exa mple.com", "--cassette", "/nonexistent/t.sqlite"]),
            containing: "must not contain spaces")
    }

    @Test func twoRecordingNamesForOnePushIsExit2() throws {
        Self.expectOneLineError(
            try CLIRunner.run(["push", "/nonexistent/t.sqlite", "postgres://u@127.0.0.1:1/fleet?recording=tue", "--recording", "other"]),
            containing: "the URL names recording 'tue' and --recording 'other'")
    }

    @Test func aListenHostThatDoesNotResolveIsExit2() throws {
        let directory = CLIRunner.temporaryDirectory()
        Self.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--listen", "no-such-host.invalid:8080"]),
            containing: "no-such-host.invalid:8080: no such host")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
