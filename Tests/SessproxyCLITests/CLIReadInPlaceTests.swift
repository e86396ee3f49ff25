import Foundation
import SessproxyCore
import SessproxyTesting
import Testing

/// Commands that only read leave a cassette nobody writes byte for byte as it was, with no
/// `-wal` or `-shm` beside it: a cassette committed to git stays unmodified by a replay in CI
/// or by `git diff` through `export`.
@Suite struct CLIReadInPlaceTests {
    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    static func expectNothingBeside(_ cassette: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for suffix in ["-wal", "-shm"] {
            #expect(!FileManager.default.fileExists(atPath: cassette + suffix), "\(suffix) left beside the cassette", sourceLocation: sourceLocation)
        }
    }

    static func sqlite(_ cassette: String, _ sql: String) throws -> String {
        let sqlite3 = try #require(CLIToolingTests.sqlite3)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sqlite3)
        process.arguments = [cassette, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        process.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func readingCommandsLeaveTheFileAsItWas() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let (_, other) = try CLIToolingTests.importedCassette()
        Self.expectNothingBeside(cassette)
        let before = try Self.bytes(cassette)
        let commands: [[String]] = [
            ["list", cassette], ["show", cassette, "1"], ["sessions", cassette], ["export", cassette, "--format", "json"],
            ["export", cassette, "--format", "har"], ["audit", cassette], ["diff", cassette, other],
        ]
        for arguments in commands {
            let result = try CLIRunner.run(arguments)
            #expect([0, 1].contains(result.status), "\(arguments): \(result.stderr)")
            #expect(try Self.bytes(cassette) == before, "\(arguments) changed the cassette")
            Self.expectNothingBeside(cassette)
        }
    }

    @Test func replayLeavesTheFileAsItWas() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let before = try Self.bytes(cassette)
        let port = LoopbackSocket.unusedPort()
        let replay = try CLIRunner.start(["replay", "--cassette", cassette, "--listen", "127.0.0.1:\(port)"])
        try CLIRunner.waitUntilListening(port: port, process: replay)
        // The HAR's create, replayed: an answer read from the file.
        let har = try JSONParser.parse(CLIToolingTests.har)
        let create = try #require(har["log"]?["entries"]?[0]?["request"]?["postData"]?["text"]?.stringValue)
        let answer = CLIRecordTests.requestClosingConnection(port: port, method: "POST", path: "/payments/v1/sessions", json: create)
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(answer.contains("sess-1"), "\(answer)")
        replay.signal(SIGTERM)
        let result = replay.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.bytes(cassette) == before)
        Self.expectNothingBeside(cassette)
    }

    @Test func replayStillStoresKeysItHadToCompute() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        _ = try Self.sqlite(cassette, "UPDATE exchange SET match_key = NULL")
        #expect(try Self.sqlite(cassette, "SELECT count(*) FROM exchange WHERE match_key IS NULL") == "3")
        let port = LoopbackSocket.unusedPort()
        let replay = try CLIRunner.start(["replay", "--cassette", cassette, "--listen", "127.0.0.1:\(port)"])
        try CLIRunner.waitUntilListening(port: port, process: replay)
        replay.signal(SIGTERM)
        let result = replay.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.sqlite(cassette, "SELECT count(*) FROM exchange WHERE match_key IS NULL") == "0")
        Self.expectNothingBeside(cassette)
    }

    /// `inspect` opens a cassette as a recorder does (a recorder may start on it meanwhile), and
    /// closes it at the end: nothing is left beside it. Three runs, since what an unclosed
    /// cassette leaves depends on when the process exits.
    @Test func inspectLeavesNothingBeside() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        for _ in 0..<3 {
            let port = LoopbackSocket.unusedPort()
            let inspect = try CLIRunner.start(["inspect", cassette, "--listen", "127.0.0.1:\(port)", "--ui-token", "inspect-test-token-0123"])
            try CLIRunner.waitUntilListening(port: port, process: inspect)
            let page = CLIRecordTests.requestClosingConnection(
                port: port, path: "/__sessproxy/api/exchanges?q=sess&token=inspect-test-token-0123", host: "127.0.0.1:\(port)")
            #expect(page.hasPrefix("HTTP/1.1 200"), "\(page)")
            inspect.signal(SIGTERM)
            let result = inspect.finish()
            #expect(result.status == 0, "\(result.stderr)")
            Self.expectNothingBeside(cassette)
        }
    }

    /// A recorder killed with `kill -9` leaves `-wal` and `-shm`; replay must open such a file
    /// for writing, and at its end folds the log back and leaves nothing beside it.
    @Test func replayAfterAKilledRecorderLeavesNothingBeside() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let recordPort = LoopbackSocket.unusedPort()
        let recorder = try CLIRunner.start(
            ["record", "--upstream", "http://127.0.0.1:1", "--cassette", cassette, "--listen", "127.0.0.1:\(recordPort)"])
        try CLIRunner.waitUntilListening(port: recordPort, process: recorder)
        recorder.signal(SIGKILL)
        _ = recorder.finish()
        try #require(FileManager.default.fileExists(atPath: cassette + "-wal"), "a killed recorder left no -wal to test with")
        let port = LoopbackSocket.unusedPort()
        let replay = try CLIRunner.start(["replay", "--cassette", cassette, "--listen", "127.0.0.1:\(port)"])
        try CLIRunner.waitUntilListening(port: port, process: replay)
        let answer = CLIRecordTests.requestClosingConnection(port: port, method: "GET", path: "/payments/v1/sessions/sess-1", json: nil)
        #expect(answer.hasPrefix("HTTP/1.1 "), "\(answer)")
        replay.signal(SIGTERM)
        let result = replay.finish()
        #expect(result.status == 0, "\(result.stderr)")
        Self.expectNothingBeside(cassette)
        #expect(try Self.sqlite(cassette, "SELECT count(*) FROM exchange") == "3")
    }

    /// A push that cannot reach its store has not touched the file yet.
    @Test func aPushThatCannotStartLeavesTheFileAsItWas() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let before = try Self.bytes(cassette)
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["push", cassette, "postgres://ci@127.0.0.1:1/fleet", "--recording", "x"]), containing: "connection refused")
        #expect(try Self.bytes(cassette) == before)
        Self.expectNothingBeside(cassette)
    }

    /// A closed terminal's SIGHUP stops a recorder as SIGTERM does: gracefully, the cassette
    /// folded back and nothing left beside it.
    @Test func aHangUpStopsARecorderGracefully() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let port = LoopbackSocket.unusedPort()
        let recorder = try CLIRunner.start(["record", "--upstream", "http://127.0.0.1:1", "--cassette", cassette, "--listen", "127.0.0.1:\(port)"])
        try CLIRunner.waitUntilListening(port: port, process: recorder)
        recorder.signal(SIGHUP)
        let result = recorder.finish()
        #expect(result.status == 0 && result.stderr.contains("sessproxy: stopped;"), "\(result.status) \(result.stderr)")
        Self.expectNothingBeside(cassette)
    }

    @Test func aRefusedFileGetsNothingBesideIt() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        _ = try Self.sqlite(cassette, "UPDATE cassette_meta SET value = '99' WHERE key = 'format_version'")
        let before = try Self.bytes(cassette)
        // Reading commands and those that would write it alike.
        for arguments in [
            ["list", cassette], ["redact", cassette], ["inspect", cassette, "--listen", "127.0.0.1:0"],
            ["record", "--upstream", "http://127.0.0.1:9", "--cassette", cassette, "--listen", "127.0.0.1:0"],
        ] {
            CLIErrorTests.expectOneLineError(try CLIRunner.run(arguments), containing: "99")
            #expect(try Self.bytes(cassette) == before, "\(arguments[0])")
            Self.expectNothingBeside(cassette)
        }
    }
}
