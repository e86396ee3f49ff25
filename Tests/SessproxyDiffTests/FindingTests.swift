import SessproxyCore
import Testing
@testable import SessproxyDiff

@Suite struct FindingTests {
    static let cart = Fixture.order([Fixture.line("CAP-7", quantity: 1, unitPrice: 1499), Fixture.line("SHIP-STD", unitPrice: 4900)])

    static func updatePair(_ before: JSONValue, _ after: JSONValue, options: DiffOptions = .init()) -> CallDiff {
        let a = [Fixture.update(id: 1, session: "A-SESSION-0001", order: before)]
        let b = [Fixture.update(id: 2, session: "B-SESSION-0001", order: after)]
        return RecordingDiff.compare(a, b, options: options).sessions[0].calls[0]
    }

    @Test func orderLinesAreKeyedByReference() {
        let lines = Self.cart["order_lines"]!.arrayValue!
        let reorderedAndChanged = Self.cart.setting("order_lines", to: [lines[1], lines[0].setting("quantity", to: 2)])
        let call = Self.updatePair(Self.cart, reorderedAndChanged)
        let requestFindings = call.findings.filter { $0.kind == .requestBody }
        #expect(requestFindings.map(\.message) == ["order_lines[ref=CAP-7].quantity: 1 → 2"])
        #expect(requestFindings.first?.path == "order_lines[ref=CAP-7].quantity")
        #expect(requestFindings.first?.before == "1" && requestFindings.first?.after == "2")
        #expect(!call.findings.contains { $0.path.contains("order_lines[0]") || $0.path.contains("order_lines[1]") })
        #expect(call.alignment == .changed)
    }

    @Test func statusChangeAndErrorMessagesComeFirst() {
        let a = [Fixture.update(id: 1, session: "A-SESSION-0001", order: Self.cart, status: 204)]
        let b = [Fixture.update(
            id: 2, session: "B-SESSION-0001", order: Self.cart.setting("locale", to: "en-SE"), status: 400,
            response: Fixture.errorBody(code: "BAD_VALUE", messages: ["Bad value: order_lines[0].total_amount"], correlationID: "corr-b-1"))]
        let call = RecordingDiff.compare(a, b).sessions[0].calls[0]
        #expect(call.findings.map(\.kind) == [.status, .errorMessages, .errorMessages, .requestBody, .header])
        #expect(call.findings[0].before == "204" && call.findings[0].after == "400")
        #expect(call.findings[0].message == "status 204 → 400")
        #expect(call.findings[1].path == "error_code" && call.findings[1].after == "\"BAD_VALUE\"")
        #expect(call.findings[2].path == "error_messages")
        #expect(call.findings[2].after == "[\"Bad value: order_lines[0].total_amount\"]")
        #expect(!call.findings.contains { ($0.after ?? "").contains("corr-b-1") || $0.message.contains("corr-b-1") })
        #expect(call.aStatus == 204 && call.bStatus == 400)
    }

    @Test func changedErrorMessagesBetweenTwoErrors() {
        let a = [Fixture.update(
            id: 1, session: "A-SESSION-0001", order: Self.cart, status: 400,
            response: Fixture.errorBody(code: "BAD_VALUE", messages: ["Bad value: order_amount"], correlationID: "corr-a"))]
        let b = [Fixture.update(
            id: 2, session: "B-SESSION-0001", order: Self.cart, status: 400,
            response: Fixture.errorBody(code: "BAD_VALUE", messages: ["Bad value: order_tax_amount"], correlationID: "corr-b"))]
        let call = RecordingDiff.compare(a, b).sessions[0].calls[0]
        #expect(call.findings.map(\.kind) == [.errorMessages])
        #expect(call.findings[0].message == "error_messages: [\"Bad value: order_amount\"] → [\"Bad value: order_tax_amount\"]")
    }

    struct RuleCase: Sendable, CustomStringConvertible {
        var rule: KlarnaAmountRules.Rule
        var broken: JSONValue
        var path: String
        var expectedValue: String
        var actualValue: String
        var description: String { rule.rawValue }
    }

    static let line = Fixture.line("CAP-7", quantity: 1, unitPrice: 10000)
    static let validOrder = Fixture.order([line])

    static let ruleCases: [RuleCase] = [
        RuleCase(
            rule: .lineTotal, broken: Fixture.order([line.setting("quantity", to: 2)]), path: "order_lines[ref=CAP-7].total_amount",
            expectedValue: "20000", actualValue: "10000"),
        RuleCase(
            rule: .lineTax, broken: Fixture.order([line.setting("total_tax_amount", to: 3000)]).setting("order_tax_amount", to: 3000),
            path: "order_lines[ref=CAP-7].total_tax_amount", expectedValue: "2000", actualValue: "3000"),
        RuleCase(
            rule: .orderAmount, broken: validOrder.setting("order_amount", to: 12000), path: "order_amount",
            expectedValue: "10000", actualValue: "12000"),
        RuleCase(
            rule: .orderTaxAmount, broken: validOrder.setting("order_tax_amount", to: 2500), path: "order_tax_amount",
            expectedValue: "2000", actualValue: "2500"),
        RuleCase(
            rule: .integerAmounts, broken: Fixture.order([line.setting("quantity", to: .number("1.5"))]), path: "order_lines[ref=CAP-7].quantity",
            expectedValue: "an integer", actualValue: "1.5"),
    ]

    @Test(arguments: ruleCases)
    func amountRuleBrokenInBIsReported(_ ruleCase: RuleCase) throws {
        #expect(KlarnaAmountRules.check(Self.validOrder).isEmpty)
        let call = Self.updatePair(Self.validOrder, ruleCase.broken)
        let finding = try #require(call.findings.first { $0.kind == .amountRule && $0.rule == ruleCase.rule.rawValue })
        let violation = try #require(KlarnaAmountRules.check(ruleCase.broken).first { $0.rule == ruleCase.rule })
        #expect(finding.message == violation.summary)
        #expect(finding.path == ruleCase.path)
        #expect(finding.before == ruleCase.expectedValue)
        #expect(finding.after == ruleCase.actualValue)
        #expect(call.findings.firstIndex(of: finding)! < (call.findings.firstIndex { $0.kind == .requestBody } ?? .max))
    }

    @Test(arguments: ruleCases)
    func amountRuleAlreadyBrokenInAIsNotReported(_ ruleCase: RuleCase) {
        let call = Self.updatePair(ruleCase.broken, ruleCase.broken)
        #expect(call.findings.isEmpty)
        #expect(call.alignment == .same)
    }

    @Test func amountRuleMessageNamesTheLineFieldAndExpectedValue() {
        let broken = Fixture.order([Fixture.line("CAP-7", quantity: 1, unitPrice: 1499).setting("total_amount", to: 1999)])
            .setting("order_amount", to: 1999).setting("order_tax_amount", to: 300)
        let call = Self.updatePair(Fixture.order([Fixture.line("CAP-7", quantity: 1, unitPrice: 1499)]), broken)
        #expect(call.findings.contains {
            $0.message == "order_lines[ref=CAP-7]: total_amount 1999 ≠ quantity×unit_price − total_discount_amount = 1499"
        })
    }

    @Test func addedCallReportsEveryRuleItBreaks() {
        let a = [Fixture.create(id: 1, session: "A-SESSION-0001", order: Self.validOrder)]
        let b = [
            Fixture.create(id: 2, session: "B-SESSION-0001", order: Self.validOrder),
            Fixture.update(id: 3, session: "B-SESSION-0001", order: Self.validOrder.setting("order_amount", to: 1)),
        ]
        let call = RecordingDiff.compare(a, b).sessions[0].calls[1]
        #expect(call.alignment == .added)
        #expect(call.findings.contains { $0.rule == "order-amount" })
    }

    @Test func equalRecordingsAreEqual() {
        let a = Fixture.flow(firstID: 1, session: "A-SESSION-0001", order: Self.cart, reads: 2)
        #expect(RecordingDiff.compare(a, a).isEqual)
        let b = Fixture.flow(firstID: 50, session: "B-SESSION-0009", order: Self.cart, reads: 2)
        let report = RecordingDiff.compare(a, b)
        #expect(report.isEqual)
        #expect(report.summary.findings == 0)
        #expect(report.summary.same == 4)
        #expect(RecordingDiff.compare([], []).isEqual)
    }

    @Test func oneRealChangeMakesRecordingsDifferent() {
        let a = Fixture.flow(firstID: 1, session: "A-SESSION-0001", order: Self.cart)
        let b = Fixture.flow(firstID: 50, session: "B-SESSION-0009", order: Self.cart.setting("purchase_country", to: "NO"))
        let report = RecordingDiff.compare(a, b)
        #expect(!report.isEqual)
        #expect(report.summary.changed == 3)
        #expect(report.sessions[0].calls[0].findings.map(\.message) == ["purchase_country: \"SE\" → \"NO\""])
    }

    @Test func headersCompareWithoutVolatileOnesAndComeLast() {
        var a = Fixture.update(id: 1, session: "A-SESSION-0001", order: Self.cart.setting("locale", to: "sv-SE"))
        var b = Fixture.update(id: 2, session: "B-SESSION-0001", order: Self.cart.setting("locale", to: "en-SE"))
        a.responseHeaders = Fixture.responseHeaders(correlationID: "c-a", date: "Wed, 01 May 2024 10:00:00 GMT") + [HeaderField(name: "Server", value: "envoy")]
        b.responseHeaders = Fixture.responseHeaders(correlationID: "c-b", contentType: "text/html", date: "Thu, 02 May 2024 10:00:00 GMT")
        b.requestHeaders.append(HeaderField(name: "Klarna-Correlation-Id", value: "req-corr"))
        let call = RecordingDiff.compare([a], [b]).sessions[0].calls[0]
        #expect(call.findings.map(\.kind) == [.requestBody, .header])
        #expect(call.findings.last?.path == "response.header.content-type")
        #expect(call.findings.last?.after == "text/html")
    }

    @Test func redactedValuesCompareOnlyWhenAsked() {
        let before = Self.cart.setting("billing_address", to: ["email": "redacted:1111111111111111"])
        let after = Self.cart.setting("billing_address", to: ["email": "redacted:2222222222222222"])
        #expect(Self.updatePair(before, after).findings.isEmpty)
        let compared = Self.updatePair(before, after, options: DiffOptions(compareRedacted: true))
        #expect(compared.findings.map(\.path) == ["billing_address.email"])
    }

    /// Free text holding a pseudonym (what the detector replaced in it) is compared around it:
    /// the same words with another key's pseudonym are equal, other words are a change.
    @Test func freeTextComparesAroundItsPseudonyms() {
        let before = Self.cart.setting("merchant_reference2", to: "contact me at redacted:1111111111111111~email")
        let otherKey = Self.cart.setting("merchant_reference2", to: "contact me at redacted:2222222222222222~email")
        let otherWords = Self.cart.setting("merchant_reference2", to: "write to redacted:2222222222222222~email")
        #expect(Self.updatePair(before, otherKey).findings.isEmpty)
        #expect(Self.updatePair(before, otherWords).findings.map(\.path) == ["merchant_reference2"])
        #expect(Self.updatePair(before, otherKey, options: DiffOptions(compareRedacted: true)).findings.map(\.path) == ["merchant_reference2"])
    }

    @Test func ignorePatternsAddToTheDefaults() throws {
        let before = Self.cart.setting("merchant_reference2", to: "run-1")
        let after = Self.cart.setting("merchant_reference2", to: "run-2")
        #expect(Self.updatePair(before, after).findings.count == 1)
        let options = DiffOptions(ignore: [try JSONPathPattern("merchant_reference2")])
        #expect(Self.updatePair(before, after, options: options).findings.isEmpty)
        let report = RecordingDiff.compare([], [], options: options)
        #expect(report.ignoredPaths.last == "merchant_reference2")
        #expect(report.ignoredPaths.contains("**.client_token"))
    }

    @Test func nonJSONBodiesAreDescribedNotPrinted() {
        var a = Fixture.read(id: 1, session: "A-SESSION-0001", response: ["status": "incomplete"])
        var b = Fixture.read(id: 2, session: "B-SESSION-0001", response: ["status": "incomplete"])
        a.status = 401
        b.status = 401
        a.responseBody = Array("<html>secret-page-a</html>".utf8)
        b.responseBody = Array("<html>secret-page-bb</html>".utf8)
        let call = RecordingDiff.compare([a], [b]).sessions[0].calls[0]
        #expect(call.findings.map(\.message) == ["response body: not JSON, 26 bytes → not JSON, 27 bytes"])
    }

    /// Recorded text with escape sequences in it reaches the terminal shown, not obeyed; the
    /// renderer's own colours still do.
    @Test func escapeSequencesInRecordedValuesAreShownNotSent() {
        let before = Self.cart.setting("merchant_reference2", to: "run-1")
        let after = Self.cart.setting("merchant_reference2", to: "run-2\u{1B}]0;pwned\u{07}")
        let report = RecordingDiff.compare(
            [Fixture.update(id: 1, session: "A-SESSION-0001", order: before)], [Fixture.update(id: 2, session: "B-SESSION-0001", order: after)])
        let plain = TextDiffRenderer(colour: false).render(report)
        #expect(!plain.contains("\u{1B}") && !plain.contains("\u{07}") && plain.contains(#"run-2\u001b]0;pwned\u0007"#), "\(plain)")
        #expect(TextDiffRenderer(colour: true).render(report).contains("\u{1B}["))
    }

    @Test func aWithheldBodyIsDescribedByWhatWasWithheld() {
        var a = Fixture.read(id: 1, session: "A-SESSION-0001", response: ["status": "incomplete"])
        var b = Fixture.read(id: 2, session: "B-SESSION-0001", response: ["status": "incomplete"])
        a.responseBody = WithheldBody(length: 24, digest: "redacted:aaaa", reason: "not valid JSON").bytes
        b.responseBody = WithheldBody(length: 31, digest: "redacted:bbbb", reason: "not valid JSON").bytes
        let call = RecordingDiff.compare([a], [b]).sessions[0].calls[0]
        #expect(call.findings.map(\.message) == ["response body: withheld, 24 bytes (not valid JSON) → withheld, 31 bytes (not valid JSON)"])
    }
}
