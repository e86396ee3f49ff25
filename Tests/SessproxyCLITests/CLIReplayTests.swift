import Foundation
import SessproxyCore
import SessproxyTesting
import Testing

/// `replay --strict` and `demo` through the real binary.
@Suite struct CLIReplayTests {
    @Test func demoRunsEndToEnd() throws {
        let directory = CLIRunner.temporaryDirectory()
        let result = try CLIRunner.run(["demo", "--directory", directory], timeout: .seconds(120))
        #expect(result.status == 0, "demo failed: \(result.stderr)")
        #expect(result.stdout.contains("5/5 replayed answers match the recording"))
        #expect(result.stdout.contains("204 → 400"))
        #expect(FileManager.default.fileExists(atPath: directory + "/yesterday.sqlite"))
    }

    /// A cassette of real traffic where the demo would write its own is kept, and the demo refused.
    @Test func demoKeepsACassetteItDidNotMake() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        try FileManager.default.moveItem(atPath: cassette, toPath: directory + "/today.sqlite")
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/today.sqlite"))
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["demo", "--directory", directory]), containing: "is not a cassette an earlier demo made")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/today.sqlite")) == before)
    }

    @Test func strictReplayExitCodes() throws {
        let directory = CLIRunner.temporaryDirectory()
        _ = try CLIRunner.run(["demo", "--directory", directory], timeout: .seconds(120))
        let cassette = directory + "/yesterday.sqlite"

        // Nothing requested: every recording unused → exit 1 under --strict, 0 without.
        for (strict, expected) in [(true, Int32(1)), (false, Int32(0))] {
            let port = LoopbackSocket.unusedPort()
            let replay = try CLIRunner.start(["replay", "--cassette", cassette, "--listen", "127.0.0.1:\(port)"] + (strict ? ["--strict"] : []))
            try CLIRunner.waitUntilListening(port: port)
            replay.signal(SIGTERM)
            let result = replay.finish()
            #expect(result.status == expected, "strict=\(strict): \(result.stderr)")
            #expect(result.stderr.contains("0 hit(s)"))
        }
    }

    @Test func onMissForwardNeedsAnUpstream() throws {
        let result = try CLIRunner.run(["replay", "--cassette", "x.sqlite", "--on-miss", "forward"])
        #expect(result.status == 2 && result.stderr.contains("--upstream"))
    }
}
