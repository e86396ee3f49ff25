import Foundation
import SessproxyCore
import Testing
@testable import SessproxyDiff

@Suite struct NoiseTests {
    static let renderers: [(String, @Sendable (DiffReport) -> String)] = [
        ("text", { TextDiffRenderer(colour: false).render($0) }),
        ("colour text", { TextDiffRenderer(colour: true).render($0) }),
        ("markdown", { MarkdownDiffRenderer().render($0) }),
        ("json", { JSONDiffRenderer().render($0) }),
    ]

    /// Tokens, correlation ids, expiry and creation times never reach any output, not even inside
    /// the bodies of added, missing or error calls.
    @Test func noiseNeverAppearsInAnyRenderedOutput() {
        let report = Scenario.report
        #expect(report.summary.added > 0 && report.summary.missing > 0)
        for (name, render) in Self.renderers {
            let output = render(report)
            for secret in Scenario.secretNoise {
                #expect(!output.contains(secret), "\(name) output shows \(secret)")
            }
            #expect(!output.contains("\"session_id"), "\(name) output shows a session_id field")
            #expect(!output.contains("\"client_token"), "\(name) output shows a client_token field")
        }
    }

    /// Session ids appear only as session labels, never in a finding or a path.
    @Test func sessionIDsAppearOnlyAsLabels() {
        for (name, render) in Self.renderers {
            for line in render(Scenario.report).split(separator: "\n") {
                guard Scenario.sessionIDs.contains(where: { line.contains($0) }) else { continue }
                let isLabel = line.contains("Session ") || line.hasPrefix("A `") || line.hasPrefix("B `")
                    || line.contains("\"a_session_id\"") || line.contains("\"b_session_id\"")
                #expect(isLabel, "\(name) shows a session id outside a label: \(line)")
            }
        }
        for finding in Scenario.report.sessions.flatMap(\.calls).flatMap(\.findings) {
            for id in Scenario.sessionIDs {
                #expect(!(finding.message + (finding.before ?? "") + (finding.after ?? "")).contains(id))
            }
        }
    }

    @Test func noiseOnlyDifferencesAreEqual() {
        let cart = Fixture.order([Fixture.line("SKU-1")])
        let a = [
            Fixture.create(id: 1, session: "S-AAAA-1", order: cart, clientToken: "tok-a"),
            Fixture.read(
                id: 2, session: "S-AAAA-1",
                response: Fixture.readResponse(session: "S-AAAA-1", order: cart, expiresAt: "2024-05-03T10:00:00Z", createdAt: "2024-05-01T10:00:00Z")
                    .setting("authorization_token", to: "auth-a").setting("correlation_id", to: "c-a").setting("request_id", to: "r-a")
                    .setting("updated", to: "2024-05-01 10:00:00+02:00"),
                correlationID: "hdr-a"),
        ]
        let b = [
            Fixture.create(id: 7, session: "S-BBBB-2", order: cart, clientToken: "tok-b"),
            Fixture.read(
                id: 8, session: "S-BBBB-2",
                response: Fixture.readResponse(session: "S-BBBB-2", order: cart, expiresAt: "2024-06-03T11:00:00.5Z", createdAt: "2024-06-01")
                    .setting("authorization_token", to: "auth-b").setting("correlation_id", to: "c-b").setting("request_id", to: "r-b")
                    .setting("updated", to: "2024-06-01T08:00Z"),
                correlationID: "hdr-b"),
        ]
        let report = RecordingDiff.compare(a, b)
        #expect(report.isEqual, "\(report.sessions.flatMap(\.calls).flatMap(\.findings).map(\.message))")
    }

    @Test func addedBodyIsStrippedOfNestedNoise() throws {
        let a: [RecordedExchange] = []
        let nested: JSONValue = [
            "session_id": "S-NESTED", "client_token": "tok-nested",
            "attachment": ["session_id": "S-INNER", "expires_at": "2030-01-01T00:00:00Z", "kept": "yes"],
            "list": ["2024-01-01T00:00:00Z", "plain"],
        ]
        let b = [Fixture.create(id: 1, session: "S-NESTED", order: Fixture.order([Fixture.line("SKU-1")]), response: nested)]
        let call = RecordingDiff.compare(a, b).sessions[0].calls[0]
        let body = try #require(call.findings.first { $0.kind == .responseBody }?.after)
        #expect(body == #"{"attachment":{"kept":"yes"},"list":["plain"]}"#)
    }

    struct DateCase: Sendable, CustomStringConvertible {
        var text: String
        var isDateTime: Bool
        var description: String { text }
    }

    static let dateCases: [DateCase] = [
        DateCase(text: "2024-05-01", isDateTime: true),
        DateCase(text: "2024-05-01T10:00:00Z", isDateTime: true),
        DateCase(text: "2024-05-01T10:00:00.123456Z", isDateTime: true),
        DateCase(text: "2024-05-01T10:00:00+02:00", isDateTime: true),
        DateCase(text: "2024-05-01T10:00:00-0500", isDateTime: true),
        DateCase(text: "2024-05-01 10:00", isDateTime: true),
        DateCase(text: "2024-13-01", isDateTime: false),
        DateCase(text: "2024-05-01T25:00:00Z", isDateTime: false),
        DateCase(text: "2024-05-01Tnoon", isDateTime: false),
        DateCase(text: "order-2024-05-01", isDateTime: false),
        DateCase(text: "20240501", isDateTime: false),
        DateCase(text: "1499", isDateTime: false),
        DateCase(text: "2024-05-01T10:00:00Z trailing", isDateTime: false),
    ]

    @Test(arguments: dateCases)
    func recognisesISO8601DateTimes(_ dateCase: DateCase) {
        #expect(DateTimeText.isDateTime(dateCase.text) == dateCase.isDateTime)
    }

    @Test func renderingIsDeterministic() {
        let first = Scenario.report
        let second = Scenario.report
        #expect(first == second)
        for (_, render) in Self.renderers { #expect(render(first) == render(second)) }
    }

    @Test func colourOnlyWhenAsked() {
        #expect(!TextDiffRenderer(colour: false).render(Scenario.report).contains("\u{1B}["))
        let coloured = TextDiffRenderer(colour: true).render(Scenario.report)
        #expect(coloured.contains("\u{1B}[1;31mDifferent\u{1B}[0m"))
    }

    @Test func jsonOutputCarriesTheSchemaAndParses() throws {
        let output = JSONDiffRenderer().render(Scenario.report)
        let parsed = try JSONParser.parse(output)
        #expect(parsed["schema"]?.stringValue == "sessproxy.diff/v1")
        #expect(parsed["equal"] == .bool(false))
        #expect(parsed["summary"]?["findings_by_kind"]?["amount_rule"]?.int64Value == 1)
        #expect(parsed["sessions"]?[0]?["calls"]?[1]?["findings"]?[0]?["kind"]?.stringValue == "status")
    }

    /// Two 10k-exchange recordings; the bound is loose for debug builds, it guards against quadratic work.
    @Test func largeRecordingsDiffQuickly() {
        let cart = Fixture.order([Fixture.line("SKU-1"), Fixture.line("SKU-2", quantity: 3, unitPrice: 2500)])
        var a: [RecordedExchange] = []
        var b: [RecordedExchange] = []
        for session in 0..<2500 {
            a += Fixture.flow(firstID: Int64(session * 4), session: "A-SESSION-\(session)", order: cart, reads: 2)
            b += Fixture.flow(firstID: Int64(session * 4), session: "B-SESSION-\(session)", order: cart, reads: 2)
        }
        let clock = ContinuousClock()
        var report: DiffReport?
        let elapsed = clock.measure { report = RecordingDiff.compare(a, b) }
        #expect(report?.summary.calls == 10_000)
        #expect(report?.isEqual == true)
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}
