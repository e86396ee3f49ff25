import Foundation
import Synchronization
import SessproxyCore
import Testing

/// `sessproxy diff` on cassettes recorded from the fake Klarna (by `sessproxy demo`).
@Suite struct CLIDiffTests {
    static let recordings: (yesterday: String, today: String) = {
        let directory = CLIRunner.temporaryDirectory()
        _ = try? CLIRunner.run(["demo", "--directory", directory], timeout: .seconds(120))
        return (directory + "/yesterday.sqlite", directory + "/today.sqlite")
    }()

    @Test func equalRecordingsExitZero() throws {
        let result = try CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.yesterday])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func aRegressedUpdateExitsOneNamingTheFieldAndStatus() throws {
        let result = try CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.today, "--color", "never"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("204 → 400"))
        #expect(result.stdout.contains("order_lines[ref=SKU-TR-4471-42].total_amount: 25197 → 24697"))
        #expect(result.stdout.contains("line-total"))
        #expect(!result.stdout.contains("\u{1B}["), "colour codes with --color never")
        #expect(!result.stdout.contains("client_token") && !result.stdout.contains("correlation_id"))
    }

    @Test func jsonAndMarkdownFormats() throws {
        let json = try CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.today, "--format", "json"])
        #expect(json.status == 1)
        let document = try JSONParser.parse(json.stdout)
        #expect(document["schema"] == "sessproxy.diff/v1")
        let markdown = try CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.today, "--format", "markdown"])
        #expect(markdown.status == 1 && markdown.stdout.contains("|"))
    }

    @Test func ignoringTheChangedPathsMakesTheRequestSideEqual() throws {
        let result = try CLIRunner.run([
            "diff", Self.recordings.yesterday, Self.recordings.today, "--ignore", "order_lines", "--ignore", "order_amount",
            "--ignore", "order_tax_amount", "--color", "never",
        ])
        #expect(!result.stdout.contains("total_amount: 25197 → 24697"))
        #expect(result.stdout.contains("line-total"))
        #expect(result.stdout.contains("204 → 400"))
    }

    /// Readers started together on one cassette all open it: one opening or closing the WAL
    /// holds a lock for a moment, which the others wait out instead of calling the file "not a
    /// cassette (database is locked)".
    @Test func readersStartedTogetherAllOpenTheCassette() throws {
        let statuses = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            let result = try? CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.yesterday])
            statuses.withLock { $0.append(result?.status ?? -1) }
        }
        #expect(statuses.withLock { $0 } == Array(repeating: 0, count: 12))
    }

    @Test func errorsExitTwo() throws {
        let missing = try CLIRunner.run(["diff", Self.recordings.yesterday, "/nonexistent.sqlite"])
        #expect(missing.status == 2 && missing.stderr.contains("no such cassette file"))
        let badPath = try CLIRunner.run(["diff", Self.recordings.yesterday, Self.recordings.today, "--ignore", "a..b"])
        #expect(badPath.status == 2 && badPath.stderr.contains("invalid JSON path"))
    }
}

/// Damaged or foreign cassette files: one clear line, exit 2, for every reading command.
@Suite struct CLIFuzzedCassetteTests {
    static func damaged() throws -> [(name: String, path: String, expected: String)] {
        let directory = CLIRunner.temporaryDirectory()
        _ = try CLIRunner.run(["demo", "--directory", directory], timeout: .seconds(120))
        let good = try Data(contentsOf: URL(fileURLWithPath: directory + "/yesterday.sqlite"))
        var cases: [(String, String, String)] = []

        let truncated = directory + "/truncated.sqlite"
        try good.prefix(good.count / 3).write(to: URL(fileURLWithPath: truncated))
        cases.append(("truncated", truncated, "sessproxy: "))

        let header = directory + "/header-only.sqlite"
        try good.prefix(100).write(to: URL(fileURLWithPath: header))
        cases.append(("header only", header, "sessproxy: "))

        let random = directory + "/random.sqlite"
        var generator = SystemRandomNumberGenerator()
        try Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: URL(fileURLWithPath: random))
        cases.append(("random bytes", random, "not a sessproxy cassette"))

        let newer = directory + "/newer.sqlite"
        try good.write(to: URL(fileURLWithPath: newer))
        let bump = Process()
        bump.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        bump.arguments = ["sqlite3", newer, "UPDATE cassette_meta SET value = '99' WHERE key = 'format_version'"]
        try bump.run()
        bump.waitUntilExit()
        if bump.terminationStatus == 0 { cases.append(("newer format", newer, "newer than this sessproxy supports")) }
        return cases
    }

    @Test func everyReadingCommandRefusesDamagedFilesWithOneLine() throws {
        for damaged in try Self.damaged() {
            for command in [["list", damaged.path], ["show", damaged.path, "1"], ["sessions", damaged.path], ["audit", damaged.path], ["diff", damaged.path, damaged.path]] {
                let result = try CLIRunner.run(command)
                let context = "\(damaged.name) / \(command[0]): exit \(result.status), stderr \(result.stderr)"
                #expect(result.status == 2, "\(context)")
                #expect(result.stderr.split(separator: "\n").count == 1, "\(context)")
                #expect(result.stderr.contains(damaged.expected), "\(context)")
                #expect(!result.stderr.contains("Fatal error"), "\(context)")
            }
        }
    }
}
