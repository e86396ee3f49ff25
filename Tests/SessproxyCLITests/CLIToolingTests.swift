import Foundation
import SessproxyCore
import Testing

/// audit, redact, export and import on the built binary, with cassettes made by `import`.
@Suite struct CLIToolingTests {
    static let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/opt/homebrew/bin/sqlite3"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A devtools-style HAR with personal data and credentials that import must redact.
    static let har = #"""
        {"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"entries":[
          {"startedDateTime":"2024-11-20T17:05:12.345Z","time":87.5,
           "request":{"method":"POST","url":"https://api.playground.klarna.com/payments/v1/sessions","httpVersion":"HTTP/1.1",
             "headers":[{"name":"Authorization","value":"Basic dXNlcjpzZWNyZXQ="},{"name":"Content-Type","value":"application/json"}],
             "queryString":[],"cookies":[],"headersSize":-1,"bodySize":1,
             "postData":{"mimeType":"application/json","text":"{\"purchase_country\":\"GB\",\"purchase_currency\":\"GBP\",\"order_amount\":100,\"billing_address\":{\"given_name\":\"Jane\",\"email\":\"jane.doe@example.com\",\"phone\":\"+447700900123\"},\"attachment\":{\"content_type\":\"application/vnd.klarna.internal.emd-v2+json\",\"body\":\"{\\\"customer_account_info\\\":[{\\\"unique_account_identifier\\\":\\\"jane.doe@example.com\\\"}]}\"}}"}},
           "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1",
             "headers":[{"name":"Content-Type","value":"application/json"}],"cookies":[],
             "content":{"size":1,"mimeType":"application/json","encoding":"base64",
               "text":"eyJzZXNzaW9uX2lkIjoic2Vzcy0xIiwiY2xpZW50X3Rva2VuIjoiZXlKaGJHY2lPaUpTVXpJMU5pSjkuZXlKelpYTnphVzl1WDJsa0lqb2ljMlZ6Y3kweEluMC5jMmxuIn0="},
             "redirectURL":"","headersSize":-1,"bodySize":1},
           "cache":{},"timings":{"send":0,"wait":87.5,"receive":0}},
          {"startedDateTime":"2024-11-20T17:05:13.000Z","time":12,
           "request":{"method":"POST","url":"https://api.playground.klarna.com/payments/v1/sessions/sess-1","httpVersion":"HTTP/1.1",
             "headers":[{"name":"Authorization","value":"Basic dXNlcjpzZWNyZXQ="},{"name":"Content-Type","value":"application/json"}],
             "queryString":[],"cookies":[],"headersSize":-1,"bodySize":1,
             "postData":{"mimeType":"application/json","text":"{\"order_amount\":200}"}},
           "response":{"status":204,"statusText":"No Content","httpVersion":"HTTP/1.1","headers":[],"cookies":[],
             "content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},
           "cache":{},"timings":{"send":0,"wait":12,"receive":0}},
          {"startedDateTime":"2024-11-20T17:05:14.000Z","time":9,
           "request":{"method":"GET","url":"https://api.playground.klarna.com/payments/v1/sessions/sess-1","httpVersion":"HTTP/1.1",
             "headers":[{"name":"Authorization","value":"Basic dXNlcjpzZWNyZXQ="}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
           "response":{"status":200,"statusText":"OK","httpVersion":"HTTP/1.1",
             "headers":[{"name":"Content-Type","value":"application/json"}],"cookies":[],
             "content":{"size":1,"mimeType":"application/json","text":"{\"status\":\"incomplete\",\"order_amount\":200,\"billing_address\":{\"email\":\"jane.doe@example.com\"}}"},
             "redirectURL":"","headersSize":-1,"bodySize":1},
           "cache":{},"timings":{"send":0,"wait":9,"receive":0}}
        ]}}
        """#

    /// A fresh cassette made by importing `har`.
    static func importedCassette() throws -> (directory: String, cassette: String) {
        let directory = CLIRunner.temporaryDirectory()
        let harPath = directory + "/devtools.har"
        try har.write(toFile: harPath, atomically: true, encoding: .utf8)
        let cassette = directory + "/tape.sqlite"
        let result = try CLIRunner.run(["import", harPath, "--cassette", cassette])
        #expect(result.status == 0, "import failed: \(result.stderr)")
        #expect(result.stdout.contains("3 exchange(s) imported"), "\(result.stdout)")
        return (directory, cassette)
    }

    static func listSummary(_ cassette: String) throws -> [String] {
        let result = try CLIRunner.run(["list", cassette, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try #require(try JSONParser.parse(result.stdout).arrayValue)
        return rows.map { row in
            [row["method"]?.stringValue, row["path"]?.stringValue, row["operation"]?.stringValue, row["status"]?.int64Value.map(String.init),
             row["session_id"]?.stringValue].map { $0 ?? "-" }.joined(separator: " ")
        }
    }

    static func runSQL(_ cassette: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(sqlite3))
        process.arguments = [cassette, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "sqlite3 failed on \(sql)")
    }

    @Test func importRedactsClassifiesAndAuditsClean() throws {
        let (_, cassette) = try Self.importedCassette()
        #expect(try Self.listSummary(cassette) == [
            "POST /payments/v1/sessions create 200 sess-1",
            "POST /payments/v1/sessions/sess-1 update 204 sess-1",
            "GET /payments/v1/sessions/sess-1 read 200 sess-1",
        ])
        let bytes = try String(contentsOfFile: cassette, encoding: .isoLatin1)
        for secret in ["jane.doe@example.com", "dXNlcjpzZWNyZXQ=", "+447700900123", "eyJhbGciOiJSUzI1NiJ9"] {
            #expect(!bytes.contains(secret), "\(secret) reached the cassette file")
        }
        let text = try CLIRunner.run(["audit", cassette])
        #expect(text.status == 0, "\(text.stdout)\(text.stderr)")
        #expect(text.stdout.contains("no personal data or secrets found"))
        let json = try CLIRunner.run(["audit", cassette, "--format", "json"])
        #expect(json.status == 0)
        let report = try JSONParser.parse(json.stdout)
        #expect(report["schema"] == "sessproxy.audit/v1")
        #expect(report["exchanges_scanned"] == 3)
        #expect(report["findings"] == .array([]))
    }

    @Test(.enabled(if: sqlite3 != nil, "needs the sqlite3 shell"))
    func auditFindsAPlantedLeakWithoutItsValueAndRedactFixesIt() throws {
        let (_, cassette) = try Self.importedCassette()
        try Self.runSQL(cassette, #"UPDATE exchange SET response_body='{"session_id":"sess-1","billing_address":{"email":"a@b.se"}}' WHERE id=1"#)
        try Self.runSQL(cassette, #"UPDATE exchange SET request_headers='[["Authorization","Bearer abcdefghijklmnop123456"]]' WHERE id=3"#)

        let audit = try CLIRunner.run(["audit", cassette, "--format", "json"])
        #expect(audit.status == 1, "\(audit.stdout)\(audit.stderr)")
        #expect(!audit.stdout.contains("a@b.se"))
        #expect(!audit.stdout.contains("abcdefghijklmnop123456"))
        let findings = try #require(try JSONParser.parse(audit.stdout)["findings"]?.arrayValue)
        let described = Set(findings.map { "\($0["exchange_id"]?.int64Value ?? 0) \($0["location"]?.stringValue ?? "") \($0["kind"]?.stringValue ?? "")" })
        #expect(described == [
            "1 response.body.billing_address.email email", "1 response.body.billing_address.email unredacted_field",
            "3 request.header.authorization credential", "3 request.header.authorization unredacted_field",
        ])
        let text = try CLIRunner.run(["audit", cassette])
        #expect(text.status == 1)
        #expect(text.stdout.contains("response.body.billing_address.email") && !text.stdout.contains("a@b.se"))

        let redact = try CLIRunner.run(["redact", cassette])
        #expect(redact.status == 0, "\(redact.stderr)")
        #expect(redact.stdout.contains("2 of 3 exchange(s) changed"), "\(redact.stdout)")
        #expect(try CLIRunner.run(["audit", cassette]).status == 0)
        let again = try CLIRunner.run(["redact", cassette])
        #expect(again.stdout.contains("0 of 3 exchange(s) changed"), "\(again.stdout)")
        let bytes = try String(contentsOfFile: cassette, encoding: .isoLatin1)
            + ((try? String(contentsOfFile: cassette + "-wal", encoding: .isoLatin1)) ?? "")
        #expect(!bytes.contains("abcdefghijklmnop123456"), "old credential left in the file")
    }

    @Test func exportJSONIsStableWhateverTheArgumentOrder() throws {
        let (_, cassette) = try Self.importedCassette()
        let first = try CLIRunner.run(["export", cassette, "--format", "json"])
        let second = try CLIRunner.run(["export", "--format", "json", cassette])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.hasSuffix("}\n"))
        let document = try JSONParser.parse(first.stdout)
        #expect(document["schema"] == "sessproxy.cassette/v1")
        #expect(document["exchanges"]?.arrayValue?.count == 3)
        #expect(document["exchanges"]?[0]?["request"]?["body"]?["purchase_country"] == "GB")
        #expect(JSONSerializer.string(document, style: .pretty) + "\n" == first.stdout, "not in the sorted pretty form")
    }

    @Test func exportHARRoundTripsThroughImport() throws {
        let (directory, cassette) = try Self.importedCassette()
        let stdout = try CLIRunner.run(["export", cassette, "--format", "har"])
        #expect(stdout.status == 0, "\(stdout.stderr)")
        let har = try JSONParser.parse(stdout.stdout)
        #expect(har["log"]?["version"] == "1.2")
        #expect(har["log"]?["creator"]?["name"] == "sessproxy")
        #expect(har["log"]?["entries"]?.arrayValue?.count == 3)
        #expect(har["log"]?["entries"]?[0]?["request"]?["url"] == "https://api.playground.klarna.com/payments/v1/sessions")

        let harPath = directory + "/export.har"
        let toFile = try CLIRunner.run(["export", cassette, "--format", "har", "--output", harPath])
        #expect(toFile.status == 0 && toFile.stdout.isEmpty, "\(toFile.stderr)")
        #expect(try String(contentsOfFile: harPath, encoding: .utf8) == stdout.stdout)

        let copy = directory + "/copy.sqlite"
        let imported = try CLIRunner.run(["import", harPath, "--cassette", copy])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try Self.listSummary(copy) == (try Self.listSummary(cassette)))
        let original = try JSONParser.parse(try CLIRunner.run(["export", cassette, "--format", "json"]).stdout)
        let roundTripped = try JSONParser.parse(try CLIRunner.run(["export", copy, "--format", "json"]).stdout)
        for index in 0..<3 {
            #expect(roundTripped["exchanges"]?[index]?["request"] == original["exchanges"]?[index]?["request"])
            #expect(roundTripped["exchanges"]?[index]?["response"] == original["exchanges"]?[index]?["response"])
        }
    }

    @Test func userErrorsAreOneLineExit2() throws {
        let directory = CLIRunner.temporaryDirectory()
        let garbage = directory + "/garbage.sqlite"
        _ = FileManager.default.createFile(atPath: garbage, contents: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        for command in [["audit"], ["redact"], ["export", "--format", "json"]] {
            CLIErrorTests.expectOneLineError(try CLIRunner.run(command + [directory + "/missing.sqlite"]), containing: "no such cassette file")
            CLIErrorTests.expectOneLineError(try CLIRunner.run(command + [garbage]), containing: "not a sessproxy cassette")
        }
        let cassette = directory + "/new.sqlite"
        CLIErrorTests.expectOneLineError(
            try CLIRunner.run(["import", directory + "/missing.har", "--cassette", cassette]), containing: "no such file")
        let notJSON = directory + "/bad.har"
        try "this is not a HAR".write(toFile: notJSON, atomically: true, encoding: .utf8)
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["import", notJSON, "--cassette", cassette]), containing: "invalid HAR")
        let noEntries = directory + "/empty.har"
        try #"{"log":{"version":"1.2"}}"#.write(toFile: noEntries, atomically: true, encoding: .utf8)
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["import", noEntries, "--cassette", cassette]), containing: "no log.entries")
        #expect(!FileManager.default.fileExists(atPath: cassette), "a failed import must not create the cassette")
        CLIErrorTests.expectOneLineError(try CLIRunner.run(["export", garbage, "--format", "xml"]), containing: "xml")
    }
}
