import Testing

@testable import SessproxyCore

@Suite struct ReplayMatcherTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let recorded: RecordedExchange
        let live: ReplayRequest
        let matches: Bool
        var testDescription: String { name }
    }

    static let path = "/payments/v1/sessions/abc"

    static let cases: [Case] = [
        Case(
            name: "identical body",
            recorded: ReplayFixture.update(1, session: "abc", body: #"{"a":1,"b":"x"}"#),
            live: ReplayFixture.request("POST", path, body: #"{"a":1,"b":"x"}"#), matches: true),
        Case(
            name: "key order and whitespace do not matter",
            recorded: ReplayFixture.update(1, session: "abc", body: #"{"a":1,"b":{"c":[1,2],"d":"x"}}"#),
            live: ReplayFixture.request("POST", path, body: "{\n  \"b\" : { \"d\" : \"x\", \"c\" : [ 1, 2 ] },\n  \"a\" : 1\n}"),
            matches: true),
        Case(
            name: "array order matters",
            recorded: ReplayFixture.update(1, session: "abc", body: #"{"c":[1,2]}"#),
            live: ReplayFixture.request("POST", path, body: #"{"c":[2,1]}"#), matches: false),
        Case(
            name: "changed quantity does not match",
            recorded: ReplayFixture.update(1, session: "abc", body: ReplayFixture.cart(quantity: 1)),
            live: ReplayFixture.updateRequest("abc", quantity: 2), matches: false),
        Case(
            name: "redacted email in the cassette matches a real email",
            recorded: ReplayFixture.update(1, session: "abc", body: ReplayFixture.cart(quantity: 1)),
            live: ReplayFixture.updateRequest("abc", quantity: 1), matches: true),
        Case(
            name: "bare placeholder in the cassette matches too",
            recorded: ReplayFixture.update(1, session: "abc", body: ReplayFixture.cart(quantity: 1, email: "redacted")),
            live: ReplayFixture.updateRequest("abc", quantity: 1), matches: true),
        Case(
            name: "redacted number (date of birth) matches",
            recorded: ReplayFixture.update(1, session: "abc", body: #"{"customer":{"date_of_birth":"redacted:00ff00ff00ff00ff","type":"person"}}"#),
            live: ReplayFixture.request("POST", path, body: #"{"customer":{"type":"person","date_of_birth":"1980-01-01"}}"#),
            matches: true),
        Case(
            name: "embedded attachment JSON with pseudonyms matches the real values",
            recorded: ReplayFixture.update(
                1, session: "abc",
                body: #"{"attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json","body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"redacted:1234abcd1234abcd\"}]}"}}"#),
            live: ReplayFixture.request(
                "POST", path,
                body: #"{"attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json","body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane@example.com\"}]}"}}"#),
            matches: true),
        Case(
            name: "headers are ignored, Content-Type included",
            recorded: ReplayFixture.update(1, session: "abc", body: #"{"a":1}"#),
            live: ReplayFixture.request(
                "POST", path, body: #"{"a":1}"#,
                headers: [
                    HeaderField(name: "Authorization", value: "Basic dXNlcjpwYXNz"),
                    HeaderField(name: "Date", value: "Tue, 01 Jul 2025 10:00:00 GMT"),
                    HeaderField(name: "Content-Type", value: "application/octet-stream"),
                    HeaderField(name: "User-Agent", value: "Library/test"),
                ]),
            matches: true),
        Case(
            name: "method matters",
            recorded: ReplayFixture.read(1, session: "abc", quantity: 1),
            live: ReplayFixture.request("DELETE", path), matches: false),
        Case(
            name: "session id in the path matters",
            recorded: ReplayFixture.read(1, session: "abc", quantity: 1),
            live: ReplayFixture.readRequest("abd"), matches: false),
        Case(
            name: "query matters",
            recorded: ReplayFixture.exchange(1, "GET", "/payments/v1/sessions/abc?expand=x"),
            live: ReplayFixture.request("GET", "/payments/v1/sessions/abc?expand=y"), matches: false),
        Case(
            name: "secret path segment: pseudonym matches a real token",
            recorded: ReplayFixture.exchange(1, "POST", "/payments/v1/authorizations/redacted:0011223344556677/order", body: #"{"a":1}"#),
            live: ReplayFixture.request("POST", "/payments/v1/authorizations/9f1e2d3c-real-token/order", body: #"{"a":1}"#),
            matches: true),
        Case(
            name: "non-JSON bodies compare as bytes (equal)",
            recorded: ReplayFixture.exchange(1, "POST", "/other", body: "a=1&b=2"),
            live: ReplayFixture.request("POST", "/other", body: "a=1&b=2"), matches: true),
        Case(
            name: "non-JSON bodies compare as bytes (reordered)",
            recorded: ReplayFixture.exchange(1, "POST", "/other", body: "a=1&b=2"),
            live: ReplayFixture.request("POST", "/other", body: "b=2&a=1"), matches: false),
        Case(
            name: "empty body does not match a JSON body",
            recorded: ReplayFixture.exchange(1, "POST", "/other", body: "{}"),
            live: ReplayFixture.request("POST", "/other"), matches: false),
    ]

    @Test(arguments: cases)
    func matching(_ testCase: Case) {
        let matcher = ReplayMatcher()
        #expect(matcher.matches(testCase.live, testCase.recorded) == testCase.matches)
    }

    @Test func keyCarriesOperationSessionAndCanonicalBody() {
        let key = ReplayMatcher().key(for: ReplayFixture.request("post", "/payments/v1/sessions/abc?x=1", body: #"{ "b":2, "a":1 }"#))
        #expect(key.method == "POST")
        #expect(key.operation == .update)
        #expect(key.sessionID == "abc")
        #expect(key.path == "/payments/v1/sessions/abc")
        #expect(key.query == "x=1")
        #expect(key.body == .json(#"{"a":1,"b":2}"#))
    }

    /// Recording hands the redactor's parsed body to the matcher; the key must be the one a
    /// fresh parse of the stored bytes gives, or replay would miss what was recorded.
    @Test(arguments: cases)
    func keyFromTheRedactorsParseEqualsTheKeyFromStoredBytes(_ testCase: Case) {
        let matcher = ReplayMatcher()
        let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 9, count: 32)))
        let (stored, requestJSON) = redactor.redactKeepingRequestJSON(testCase.recorded)
        #expect(stored == redactor.redact(testCase.recorded))
        #expect(matcher.matchKey(for: stored, requestJSON: requestJSON) == matcher.matchKey(for: stored))
        #expect(matcher.matchKey(for: stored, requestJSON: requestJSON, redactedUnderTheseRules: true) == matcher.matchKey(for: stored))
        #expect((requestJSON == nil) == ((try? JSONParser.parse(stored.requestBody)) == nil))
    }

    /// The same shortcut on bodies with every kind of personal data: nested addresses, numbers
    /// and booleans at redacted paths, empty strings, nulls, embedded JSON, bodies already holding
    /// pseudonyms, and a body that is not JSON.
    @Test(arguments: [
        RedactionTests.createBody,
        #"{"billing_address":{"given_name":"","phone":null,"street_address":"1 Way","postal_code":12345},"customer":{"date_of_birth":"1980-01-01","national_identification_number":true}}"#,
        #"{"attachment":{"body":"not json at all"},"merchant_data":"redacted:0011","order_lines":[]}"#,
        #"{"attachment":{"body":""},"merchant_reference1":"order-1 redacted:00ff"}"#,
        "plain text, not JSON",
        #"{"notes":"call jane@example.com or +447700900123","merchant_reference2":"4111 1111 1111 1111","order_lines":[{"quantity":4111111111111111}]}"#,
        #"{"billing_address":{"email":"jane@example.com""#,
        "email=jane%40example.com&step=2",
    ])
    func shortcutKeysHoldForPersonalData(_ body: String) {
        let matcher = ReplayMatcher()
        let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 3, count: 32)))
        let recorded = ReplayFixture.exchange(1, "POST", "/payments/v1/sessions", body: body)
        let (stored, requestJSON) = redactor.redactKeepingRequestJSON(recorded)
        let expected = matcher.matchKey(for: stored)
        #expect(matcher.matchKey(for: stored, requestJSON: requestJSON) == expected)
        #expect(matcher.matchKey(for: stored, requestJSON: requestJSON, redactedUnderTheseRules: true) == expected)
        // And the live request, redacted in placeholder mode at replay time, meets the same key.
        let live = ReplayEngine.prepare(ReplayFixture.request("POST", "/payments/v1/sessions", body: body), matcher: matcher)
        #expect(live.digest == expected)
    }

    @Test(arguments: [
        ("redacted:3fa9c2d1e0b4a789", "redacted"),
        ("Basic redacted:abc123", "Basic redacted"),
        (#"{"x":"redacted:00aa"}"#, #"{"x":"redacted"}"#),
        ("not redacted at all", "not redacted at all"),
        ("redacted:", "redacted"),
        ("a redacted:01 and redacted:ff!", "a redacted and redacted!"),
        ("redacted", "redacted"),
        ("", ""),
        ("call redacted:0a1b~email today", "call redacted today"),
        ("redacted:0a1b~=AAnA_nAA", "redacted"),
        ("redacted:0a1b~", "redacted~"),
    ])
    func pseudonymsCollapse(_ input: String, _ expected: String) {
        #expect(PseudonymToken.collapsed(input) == expected)
    }
}
