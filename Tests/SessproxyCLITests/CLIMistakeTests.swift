import Foundation
import SessproxyCore
import Testing

/// Mistakes a user can make with a file or a number that once crashed the binary or lost data:
/// each is one line and exit 2 now, and the files involved are left as they were.
@Suite struct CLIMistakeTests {
    @Test func exportOntoItsOwnCassetteIsRefusedAndTheCassetteKept() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let before = try Data(contentsOf: URL(fileURLWithPath: cassette))
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["export", cassette, "--format", "json", "--output", cassette]), containing: "is the cassette being exported")
        // Through another name for the same file, too.
        let link = directory + "/link.sqlite"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: cassette)
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["export", cassette, "--format", "json", "--output", link]), containing: "is the cassette being exported")
        #expect(try Data(contentsOf: URL(fileURLWithPath: cassette)) == before)
        #expect(try CLIToolingTests.listSummary(cassette).count == 3)
    }

    @Test func exportOntoAnotherCassetteIsRefused() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let (_, other) = try CLIToolingTests.importedCassette()
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["export", cassette, "--format", "har", "--output", other]), containing: "is a SQLite database")
        #expect(try CLIToolingTests.listSummary(other).count == 3)
        // An ordinary file is still replaced.
        let text = (other as NSString).deletingLastPathComponent + "/export.json"
        try "old".write(toFile: text, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["export", cassette, "--format", "json", "--output", text])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: text, encoding: .utf8).contains("sessproxy.cassette/v1"))
    }

    /// A pipe is written into, not looked inside (which waited for ever) nor replaced.
    @Test func exportIntoAPipeWritesIt() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let toStdout = try CLIRunner.run(["export", cassette, "--format", "json", "--output", "/dev/stdout"], timeout: .seconds(20))
        #expect(toStdout.status == 0 && toStdout.stdout.contains("sessproxy.cassette/v1"), "\(toStdout.stderr)")
        let fifo = directory + "/export.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = try CLIRunner.start(["timeout", "--signal=KILL", "20", "cat", fifo], executable: "/usr/bin/env")
        let toFIFO = try CLIRunner.run(["export", cassette, "--format", "json", "--output", fifo], timeout: .seconds(20))
        let read = reader.finish()
        #expect(toFIFO.status == 0 && read.stdout.contains("sessproxy.cassette/v1"), "\(toFIFO.stderr)")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
    }

    /// A link is written through, as a shell's `>` would, and stays a link: `/dev/stdout`
    /// (here a link of the test's own to `/proc/self/fd/1`) redirected into a file, or a link to
    /// a file elsewhere.
    @Test func exportThroughALinkWritesItsTargetAndKeepsTheLink() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let stdoutLink = directory + "/stdout-link"
        try FileManager.default.createSymbolicLink(atPath: stdoutLink, withDestinationPath: "/proc/self/fd/1")
        let redirected = directory + "/redirected.json"
        let shell = try CLIRunner.start(
            ["-c", "\"$0\" export \"$1\" --format json --output \"$2\" > \"$3\"", CLIRunner.binary, cassette, stdoutLink, redirected],
            executable: "/bin/sh")
        #expect(shell.finish().status == 0)
        #expect(try String(contentsOfFile: redirected, encoding: .utf8).contains("sessproxy.cassette/v1"))
        let target = directory + "/target.json"
        let link = directory + "/link.json"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(try CLIRunner.run(["export", cassette, "--format", "json", "--output", link]).status == 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("sessproxy.cassette/v1"))
        for path in [stdoutLink, link] {
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil, "\(path) is no longer a link")
        }
    }

    @Test func anExportThatCannotBeWrittenSaysWhy() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["export", cassette, "--format", "json", "--output", "/nonexistent/folder/x.json"]),
            containing: "folder /nonexistent/folder does not exist")
    }

    @Test(arguments: ["1e16", "1e10", "86401", "0.0001", "nan", "inf"])
    func anUpstreamTimeoutOutOfRangeIsExit2(_ seconds: String) throws {
        let directory = CLIRunner.temporaryDirectory()
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run([
                "record", "--upstream", "http://127.0.0.1:1", "--cassette", directory + "/t.sqlite", "--upstream-timeout", seconds,
                "--listen", "127.0.0.1:0",
            ]),
            containing: "--upstream-timeout must be between")
        #expect(!FileManager.default.fileExists(atPath: directory + "/t.sqlite"))
    }

    @Test func aHARWithAnAbsurdStatusOrTimeIsInvalidNotACrash() throws {
        let directory = CLIRunner.temporaryDirectory()
        func har(time: String, status: String) -> String {
            #"{"log":{"version":"1.2","entries":[{"startedDateTime":"2024-11-20T17:05:12.345Z","time":\#(time),"#
                + #""request":{"method":"GET","url":"https://api.playground.klarna.com/payments/v1/sessions/s-1","headers":[]},"#
                + #""response":{"status":\#(status),"headers":[],"content":{"size":0,"mimeType":""}}}]}}"#
        }
        let huge = directory + "/huge-status.har"
        try har(time: "1", status: "99999999999").write(toFile: huge, atomically: true, encoding: .utf8)
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["import", huge, "--cassette", directory + "/a.sqlite"]), containing: "is not an HTTP status")
        let fractional = directory + "/fractional-status.har"
        try har(time: "1", status: "200.5").write(toFile: fractional, atomically: true, encoding: .utf8)
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["import", fractional, "--cassette", directory + "/b.sqlite"]), containing: "is not an HTTP status")
        // A time no duration can have is left out, as a negative one is.
        let longTime = directory + "/long-time.har"
        try har(time: "1e16", status: "200").write(toFile: longTime, atomically: true, encoding: .utf8)
        let imported = try CLIRunner.run(["import", longTime, "--cassette", directory + "/c.sqlite"])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("1 exchange(s) imported"), "\(imported.stdout)")
    }

    @Test func aCassetteMissingAColumnIsNotACassette() throws {
        let sqlite3 = try #require(CLIToolingTests.sqlite3)
        let (_, cassette) = try CLIToolingTests.importedCassette()
        let drop = Process()
        drop.executableURL = URL(fileURLWithPath: sqlite3)
        drop.arguments = [cassette, "ALTER TABLE exchange DROP COLUMN redactions"]
        try drop.run()
        drop.waitUntilExit()
        #expect(drop.terminationStatus == 0)
        for arguments in [["list", cassette], ["show", cassette, "1"], ["export", cassette, "--format", "json"], ["sessions", cassette]] {
            CLIErrorTests.expectOneLineError(try CLIRunner.run(arguments), containing: "has no column redactions")
        }
    }

    @Test func aDirectoryWhereAFileBelongsIsSaidSo() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:1", "--cassette", directory, "--listen", "127.0.0.1:0"]),
            containing: "is a directory")
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["export", cassette, "--format", "json", "--output", directory]), containing: "is a directory; name a file")
    }

    @Test func aBadInspectorTokenFromTheEnvironmentIsNamedAsSuch() throws {
        let running = try CLIRunner.start(
            ["SESSPROXY_UI_TOKEN=short", CLIRunner.binary, "replay", "--cassette", "/nonexistent/t.sqlite"], executable: "/usr/bin/env")
        let result = running.finish()
        CLIErrorTests.expectOneLineError(result, containing: "SESSPROXY_UI_TOKEN must be at least 16 characters")
        #expect(!result.stderr.contains("--ui-token"))
    }

    @Test(arguments: ["", "# nothing to add yet\n"])
    func anEmptyRedactionConfigAddsNothing(_ yaml: String) throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let config = directory + "/redaction.yaml"
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["audit", cassette, "--redaction-config", config])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Two ports mixed up: an upstream that is sessproxy's own listen address is refused at start,
    /// before anything is opened or recorded.
    @Test func anUpstreamAtTheOwnListenAddressIsRefused() throws {
        let directory = CLIRunner.temporaryDirectory()
        let cassette = directory + "/loop.sqlite"
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://localhost:18111", "--listen", "127.0.0.1:18111", "--cassette", cassette]),
            containing: "--upstream http://localhost:18111 is sessproxy's own --listen address 127.0.0.1:18111")
        #expect(!FileManager.default.fileExists(atPath: cassette))
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["replay", "--cassette", cassette, "--on-miss", "forward", "--upstream", "http://127.0.0.1:18112", "--listen", "0.0.0.0:18112"]),
            containing: "is sessproxy's own --listen address")
    }

    /// A negative limit is refused in words, not taken for an unknown option that leaves the
    /// value "missing".
    @Test(arguments: [
        (["--upstream-timeout", "-1"], "--upstream-timeout must be between 0.001 and 86400 seconds"),
        (["--upstream-timeout", "0"], "--upstream-timeout must be between 0.001 and 86400 seconds"),
        (["--body-limit", "-5"], "--body-limit must be positive"),
    ])
    func negativeLimitsAreRefusedInWords(_ option: [String], _ message: String) throws {
        let cassette = CLIRunner.temporaryDirectory() + "/never.sqlite"
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["record", "--upstream", "http://127.0.0.1:9", "--cassette", cassette] + option), containing: message)
        #expect(!FileManager.default.fileExists(atPath: cassette))
    }

    /// `show FILE last` is the newest exchange; an id must be a positive number.
    @Test func showTakesLastForTheNewestExchange() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let last = try CLIRunner.run(["show", cassette, "last"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.stdout.hasPrefix("Exchange 3 "), "\(last.stdout)")
        #expect(last.stdout == (try CLIRunner.run(["show", cassette, "3"])).stdout)
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["show", cassette, "0"]), containing: "the exchange is an id from `sessproxy list` (a positive number) or last, not '0'")
        // A cassette with no exchange yet: its last one does not exist.
        let empty = directory + "/empty.sqlite"
        try CLIToolingTests.runSQL(cassette, "DELETE FROM exchange")
        try FileManager.default.copyItem(atPath: cassette, toPath: empty)
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["show", empty, "last"]), containing: "empty.sqlite: no exchanges recorded yet")
    }

    @Test func aNamedRedactionKeyFileMustExist() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let key = directory + "/missing/team.key"
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["redact", cassette, "--redaction-key-file", key]), containing: "no such redaction key file")
        #expect(!FileManager.default.fileExists(atPath: directory + "/missing"))
        // A key made as the message says is taken.
        try FileManager.default.createDirectory(atPath: directory + "/missing", withIntermediateDirectories: true)
        try (String(repeating: "ab", count: 32) + "\n").write(toFile: key, atomically: true, encoding: .utf8)
        let result = try CLIRunner.run(["redact", cassette, "--redaction-key-file", key])
        #expect(result.status == 0, "\(result.stderr)")
    }
    /// The default key's folder cannot be made: the message names the part in the way.
    @Test func aKeyFolderThatCannotBeMadeIsNamed() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let notAFolder = directory + "/config-file"
        try "".write(toFile: notAFolder, atomically: true, encoding: .utf8)
        let result = try CLIRunner.start(
            ["-u", "SESSPROXY_REDACTION_KEY", "XDG_CONFIG_HOME=\(notAFolder)", CLIRunner.binary, "redact", cassette], executable: "/usr/bin/env"
        ).finish()
        CLIErrorTests.expectOneLineError(result, containing: "\(notAFolder) is not a folder")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        let dangling = directory + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory + "/unmounted")
        CLIErrorTests.expectOneLineError(
            try CLIRunner.start(
                ["-u", "SESSPROXY_REDACTION_KEY", "XDG_CONFIG_HOME=\(dangling)", CLIRunner.binary, "redact", cassette], executable: "/usr/bin/env"
            ).finish(),
            containing: "\(dangling) links to \(directory)/unmounted, which does not exist")
    }

    /// A default key file that is a link to nowhere (a key kept on a drive not mounted) is
    /// reported, not replaced by a new key, and does not send the key store round in circles.
    @Test func aDefaultKeyLinkedToNowhereIsReportedNotReplaced() throws {
        let (directory, cassette) = try CLIToolingTests.importedCassette()
        let config = directory + "/config"
        try FileManager.default.createDirectory(atPath: config + "/sessproxy", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: config + "/sessproxy/redaction.key", withDestinationPath: directory + "/usb/team.key")
        let result = try CLIRunner.start(
            ["-u", "SESSPROXY_REDACTION_KEY", "XDG_CONFIG_HOME=\(config)", CLIRunner.binary, "redact", cassette], executable: "/usr/bin/env"
        ).finish()
        CLIErrorTests.expectOneLineError(result, containing: "redaction.key: cannot read redaction key file: No such file or directory")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: config + "/sessproxy/redaction.key") == directory + "/usb/team.key")
    }

    /// Sidecars starting together on one machine make the default key once and all sign with it:
    /// the same personal data gets the same pseudonym in every cassette, and nothing half-written
    /// or left over stays in the folder.
    @Test func processesStartingTogetherShareOneDefaultKey() throws {
        let directory = CLIRunner.temporaryDirectory()
        let harPath = directory + "/devtools.har"
        try CLIToolingTests.har.write(toFile: harPath, atomically: true, encoding: .utf8)
        let config = directory + "/config"
        let starts = try (1...6).map { n in
            try CLIRunner.start(
                ["-u", "SESSPROXY_REDACTION_KEY", "XDG_CONFIG_HOME=\(config)", CLIRunner.binary, "import", harPath, "--cassette", directory + "/tape\(n).sqlite"],
                executable: "/usr/bin/env")
        }
        for result in starts.map({ $0.finish() }) { #expect(result.status == 0, "\(result.stderr)") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: config + "/sessproxy") == ["redaction.key"])
        let key = try String(contentsOfFile: config + "/sessproxy/redaction.key", encoding: .utf8)
        #expect(key.count == 65 && key.hasSuffix("\n"))
        let mode = try FileManager.default.attributesOfItem(atPath: config + "/sessproxy/redaction.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let shown = try (1...6).map { n in try CLIRunner.run(["show", directory + "/tape\(n).sqlite", "1"]).stdout }
        #expect(shown[0].contains("redacted:") && !shown[0].contains("jane.doe@example.com"))
        #expect(Set(shown).count == 1, "every process signed with the same key")
    }
}

/// What the recorded traffic holds reaches a terminal only as text: an escape sequence in a body
/// or a session id is shown as `\u001b`, never sent to the terminal as it is.
@Suite struct CLITerminalTextTests {
    @Test func escapeSequencesInRecordedTextAreShownNotSent() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        try CLIToolingTests.runSQL(
            cassette,
            "UPDATE exchange SET response_body = 'title ' || char(27) || ']0;pwned' || char(7) || ' ' || char(27) || '[31mred', session_id = 'sess' || char(27) || '[2J' WHERE id = 1")
        let shown = try CLIRunner.run(["show", cassette, "1"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(!shown.stdout.contains("\u{1B}") && !shown.stdout.contains("\u{7}"), "\(shown.stdout.debugDescription)")
        #expect(shown.stdout.contains(#"title \u001b]0;pwned\u0007 \u001b[31mred"#), "\(shown.stdout)")
        let listed = try CLIRunner.run(["list", cassette])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains("\u{1B}") && listed.stdout.contains(#"sess\u001b[2J"#), "\(listed.stdout)")
    }

    /// Output that cannot be written is an error of one line, not a silent success.
    @Test func aFullDiskBehindStandardOutputIsAnError() throws {
        let (_, cassette) = try CLIToolingTests.importedCassette()
        for arguments in [["list", cassette], ["export", cassette, "--format", "json"]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = arguments
            process.environment = CLIRunner.environment
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 2, "\(arguments): exit \(process.terminationStatus), \(stderr)")
            #expect(stderr.split(separator: "\n").count == 1 && stderr.contains("No space left on device"), "\(stderr)")
        }
    }
}
