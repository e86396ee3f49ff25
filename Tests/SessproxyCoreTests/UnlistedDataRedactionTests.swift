import Testing
@testable import SessproxyCore

/// Personal data where the profile does not expect it, as buggy apps send it: found at write
/// time, replaced by a pseudonym of its kind, and still matched on replay.
@Suite struct UnlistedDataRedactionTests {
    let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 5, count: 32)))
    let email = "jane.doe@example.com"
    let phone = "+447700900123"

    func exchange(
        method: String = "POST", target: String, headers: [HeaderField] = [], body: String = "", operation: KlarnaOperation = .other
    ) -> RecordedExchange {
        RecordedExchange(
            startedAt: .init(timeIntervalSince1970: 0), durationMicros: 1, method: method, target: target, operation: operation,
            sessionID: nil, upstream: "https://api.playground.klarna.com", requestHeaders: headers, requestBody: Array(body.utf8),
            status: 200, responseHeaders: [], responseBody: [])
    }

    /// Every stored string of the exchange, as one text to look for canaries in.
    func stored(_ exchange: RecordedExchange) -> String {
        exchange.target + exchange.requestHeaders.map(\.value).joined(separator: "\n") + String(decoding: exchange.requestBody, as: UTF8.self)
    }

    var buggyRequests: [RecordedExchange] {
        [
            exchange(target: "/payments/v1/sessions", body: #"{"purchase_country":"GB","order_lines":[],"merchant_reference2":"\#(phone)","notes":"call \#(email) today"}"#, operation: .create),
            exchange(target: "/payments/v1/sessions", body: #"{"purchase_country":"GB","billing_address":{"email":"\#(email)""#, operation: .create),
            exchange(target: "/checkout/notify", headers: [HeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                body: "email=jane.doe%40example.com&phone=%2B447700900123&step=2"),
            exchange(method: "GET", target: "/customers/lookup?email=jane.doe%40example.com&page=1"),
            exchange(target: "/ping", headers: [HeaderField(name: "X-Customer-Email", value: email)]),
            exchange(method: "GET", target: "/customers/\(email)/orders"),
            exchange(method: "GET", target: "/payments/v1/sessions/s-1?ssn=19800101-1234&personal_number=123-45-6789", operation: .read),
            exchange(target: "/checkout/notify", headers: [HeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                body: "ssn=19800101-1234&step=2"),
            exchange(method: "GET", target: "/payments/v1/sessions/\(email)", operation: .read),
        ]
    }

    @Test func nothingTheDetectorFindsIsStoredAndAuditIsClean() throws {
        for request in buggyRequests {
            let redacted = redactor.redact(request)
            let text = stored(redacted)
            #expect(!text.contains(email) && !text.contains("jane.doe%40") && !text.contains("7700900123"), "\(text)")
            #expect(!redacted.redactions.isEmpty)
            #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty, "\(LeakScanner.scan(redacted, rules: .klarna))")
        }
    }

    /// What the profile names in a JSON body is named in a form too: `billing_address[given_name]`
    /// or `billing_address.given_name` is the JSON location `billing_address.given_name`, and its
    /// value gets the pseudonym it gets there, whatever it looks like.
    @Test(arguments: [
        "billing_address[given_name]=Erika&billing_address[family_name]=Mustermann&step=2",
        "billing_address%5Bgiven_name%5D=Erika&billing_address%5Bfamily_name%5D=Mustermann&step=2",
        "billing_address.given_name=Erika&billing_address.family_name=Mustermann&step=2",
    ])
    func formFieldsTheProfileNamesAreRedactedAsInJSON(body: String) throws {
        let form = redactor.redact(exchange(target: "/checkout/confirm", body: body))
        let text = String(decoding: form.requestBody, as: UTF8.self)
        #expect(!text.contains("Erika") && !text.contains("Mustermann") && text.hasSuffix("&step=2"), "\(text)")
        #expect(form.redactions.contains("request.body.billing_address.given_name"), "\(form.redactions)")
        let json = redactor.redact(exchange(target: "/checkout/confirm", body: #"{"billing_address":{"given_name":"Erika"}}"#))
        let pseudonym = try #require(JSONParser.parse(json.requestBody)["billing_address"]?["given_name"]?.stringValue)
        #expect(text.contains("=" + pseudonym), "the form's value is the JSON body's pseudonym: \(text)")
        let query = redactor.redact(exchange(method: "GET", target: "/checkout/confirm?" + body))
        #expect(!query.target.contains("Erika") && query.redactions.contains("request.query.billing_address.given_name"), "\(query.target)")
    }

    /// A rule naming an object covers every field below it, in a form as in JSON; a location
    /// a keep rule keeps is left as it is.
    @Test func aRuleOnAnObjectCoversItsFormFields() throws {
        let rules = RedactionRules.klarna.extended(with: RedactionAdditions(paths: [try JSONPathPattern("customer_info")]))
        let redactor = Redactor(rules: rules, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 5, count: 32)))
        let form = redactor.redact(exchange(target: "/checkout/confirm", body: "customer_info[name]=Erika&customer_info[tags][]=vip&step=2"))
        let text = String(decoding: form.requestBody, as: UTF8.self)
        #expect(!text.contains("Erika") && !text.contains("vip") && text.hasSuffix("&step=2"), "\(text)")
        let query = redactor.redact(exchange(method: "GET", target: "/checkout?customer_info.name=Erika"))
        #expect(!query.target.contains("Erika") && query.redactions == ["request.query.customer_info.name"], "\(query.target) \(query.redactions)")
        let kept = self.redactor.redact(exchange(method: "GET", target: "/checkout?merchant_reference1=Erika"))
        #expect(kept.target.hasSuffix("=Erika"), "a field no rule names is kept")
    }

    /// `audit` checks the rules in forms and queries too: a stored value a rule covers that is
    /// not a pseudonym is reported, even where the detector sees nothing.
    @Test func auditReportsAFormOrQueryFieldTheRulesCoverLeftAsItWas() {
        let query = LeakScanner.scan(exchange(method: "GET", target: "/checkout?billing_address[given_name]=Erika"), rules: .klarna)
        #expect(query.contains { $0.location == "request.query.billing_address.given_name" && $0.kind == .unredactedField }, "\(query)")
        let form = LeakScanner.scan(exchange(target: "/checkout", body: "billing_address.family_name=Mustermann"), rules: .klarna)
        #expect(form.contains { $0.location == "request.body.billing_address.family_name" && $0.kind == .unredactedField }, "\(form)")
        let clean = LeakScanner.scan(redactor.redact(exchange(target: "/checkout", body: "billing_address.family_name=Mustermann")), rules: .klarna)
        #expect(clean.isEmpty, "\(clean)")
    }

    /// A form or query recorded with pseudonyms (shape hints `~=nnnnn` included, written
    /// unescaped) still matches the live request on replay.
    @Test(arguments: [
        ("/checkout?billing_address[postal_code]=12345&billing_address[given_name]=Erika&billing_address[email]=a%40b.se", ""),
        ("/checkout", "billing_address[postal_code]=12345&billing_address[title]=Mr.&billing_address[email]=a%40b.se&x=1"),
    ])
    func aRecordedFormStillMatchesTheLiveOne(target: String, body: String) {
        let live = exchange(target: target, body: body)
        let stored = redactor.redact(live)
        #expect(String(decoding: stored.requestBody, as: UTF8.self).contains("~=") || stored.target.contains("~="), "a shape hint to test with")
        let matcher = ReplayMatcher(rules: .klarna)
        #expect(matcher.key(for: stored) == matcher.key(for: live))
    }

    @Test func aFormFieldNameIsReadAsTheJSONLocationItStandsFor() {
        typealias C = JSONPathComponent
        #expect(FormFieldPath.location(ofName: "billing_address[given_name]") == [C.key("billing_address"), .key("given_name")])
        #expect(FormFieldPath.location(ofName: "order_lines[2][name]") == [C.key("order_lines"), .index(2), .key("name")])
        #expect(FormFieldPath.location(ofName: "order_lines[0].merchant_data") == [C.key("order_lines"), .index(0), .key("merchant_data")])
        #expect(FormFieldPath.location(ofName: "client_token") == [C.key("client_token")])
        #expect(FormFieldPath.location(ofName: "tags[]") == [C.key("tags"), .index(0)])
        #expect(FormFieldPath.location(ofName: "odd[name") == [C.key("odd[name")])
        #expect(FormFieldPath.location(ofName: "").isEmpty)
    }

    /// Each path segment and query value is scanned on its own, decoded; a target with nothing
    /// in it comes back as it was.
    @Test(arguments: [
        ("/cards/4111111111111111/status", "4111111111111111"),
        ("/cards/4111-1111-1111-1111", "4111-1111-1111-1111"),
        ("/lookup?email=jane.doe@example.com&page=2", "jane.doe@"),
        ("/lookup?phone=%2B447700900123", "7700900123"),
        ("/customers/jane.doe%40example.com", "jane.doe%40"),
    ])
    func targetsAreScannedComponentByComponent(target: String, secret: String) {
        let redacted = redactor.redact(exchange(method: "GET", target: target))
        #expect(!redacted.target.contains(secret), "\(redacted.target)")
        #expect(redacted.redactions.contains { $0.hasPrefix("request.") }, "\(redacted.redactions)")
    }

    /// Apps often leave a `+` unencoded (`?phone=+4477…`); form rules make it a space, so both
    /// readings are scanned. What is found becomes the pseudonym of the value as written, the
    /// one the same phone number gets in a JSON body.
    @Test(arguments: [
        ("/lookup?phone=+447700900123", "7700900123"),
        ("/lookup?name=Jane+Doe&phone=+447700900123&page=2", "7700900123"),
        ("/lookup?email=jane+orders@example.com", "orders@"),
        ("/lookup?card=4111+1111+1111+1111", "4111"),
    ])
    func anUnencodedPlusDoesNotHideAFinding(target: String, secret: String) {
        let redacted = redactor.redact(exchange(method: "GET", target: target))
        #expect(!redacted.target.contains(secret), "\(redacted.target)")
        #expect(redacted.redactions == ["request.query"])
        #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty, "\(LeakScanner.scan(redacted, rules: .klarna))")
    }

    @Test func aFindingInAQueryGetsThePseudonymItGetsInABody() throws {
        let query = redactor.redact(exchange(method: "GET", target: "/lookup?phone=+447700900123")).target
        let form = redactor.redact(exchange(target: "/notify", headers: [HeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded")], body: "phone=+447700900123"))
        let body = redactor.redact(exchange(target: "/notify", body: #"{"notes":"\#(phone)"}"#))
        let inBody = try #require(try JSONParser.parse(body.requestBody)["notes"]?.stringValue)
        #expect(query == "/lookup?phone=" + PercentEncoding.encode(inBody))
        #expect(String(decoding: form.requestBody, as: UTF8.self) == "phone=" + PercentEncoding.encode(inBody))
        let two = redactor.redact(exchange(method: "GET", target: "/lookup?phones=+447700900123,+447700900123")).target
        #expect(two == "/lookup?phones=" + PercentEncoding.encode(inBody + "," + inBody))
        // Found only where `+` is a space: named as that reading reads it, like the body's.
        let card = redactor.redact(exchange(method: "GET", target: "/lookup?card=4111+1111+1111+1111")).target
        let cardBody = redactor.redact(exchange(target: "/notify", body: #"{"notes":"4111 1111 1111 1111"}"#))
        let cardInBody = try #require(try JSONParser.parse(cardBody.requestBody)["notes"]?.stringValue)
        #expect(card == "/lookup?card=" + PercentEncoding.encode(cardInBody))
    }

    /// As in a JSON body, an id-shaped value under an identity name is a national id; the same
    /// value under another name is left alone.
    @Test func aNationalIDInAQueryIsRedactedAndAudited() throws {
        let target = "/payments/v1/sessions/s-1?ssn=19800101-1234&customer[national_identification_number]=198001011234&order=19800101-1234"
        let raw = exchange(method: "GET", target: target, operation: .read)
        #expect(LeakScanner.scan(raw, rules: .klarna).contains(LeakFinding(exchangeID: nil, location: "request.query", kind: .nationalID)))
        let redacted = redactor.redact(raw)
        #expect(!redacted.target.contains("ssn=19800101-1234") && !redacted.target.contains("=198001011234"), "\(redacted.target)")
        #expect(redacted.target.hasSuffix("&order=19800101-1234"), "\(redacted.target)")
        // The profile names `customer.national_identification_number`; `ssn` is the detector's.
        #expect(redacted.redactions == ["request.query.customer.national_identification_number", "request.query"])
        #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty, "\(LeakScanner.scan(redacted, rules: .klarna))")
    }

    /// A read's session is its path's: what the detector replaces in the path is not kept in the
    /// `session_id` column either (and `audit` looks there too).
    @Test func theSessionOfARedactedPathIsRedactedWithIt() throws {
        var raw = exchange(method: "GET", target: "/payments/v1/sessions/\(email)", operation: .read)
        raw.sessionID = email
        #expect(LeakScanner.scan(raw, rules: .klarna).contains(LeakFinding(exchangeID: nil, location: "session_id", kind: .email)))
        let redacted = redactor.redact(raw)
        let sessionID = try #require(redacted.sessionID)
        #expect(!sessionID.contains("jane.doe") && Pseudonymizer.isRedacted(sessionID), "\(sessionID)")
        #expect(redacted.target == "/payments/v1/sessions/" + PercentEncoding.encode(sessionID))
        #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty, "\(LeakScanner.scan(redacted, rules: .klarna))")
        // A row stored before: its path redacted, its session id not. `redact` mends it.
        var older = redacted
        older.sessionID = email
        #expect(redactor.redact(older).sessionID == sessionID)
    }

    /// A header whose name says it carries a credential is redacted whatever its value looks
    /// like, in either direction, and `audit` reports one left as it was.
    @Test func headersNamedAsCredentialsAreRedacted() {
        let secrets = ["X-Auth-Token", "X-Api-Key", "X-Client-Secret", "Private_Key", "X-Access-Key", "X-Upstream-Password"]
        let kept = ["Klarna-Idempotency-Key", "WWW-Authenticate", "X-Request-Id", "Klarna-Correlation-Id", "Access-Control-Allow-Credentials"]
        var raw = exchange(target: "/ping", headers: (secrets + kept).map { HeaderField(name: $0, value: "hdr-secret-def") })
        raw.responseHeaders = [HeaderField(name: "X-Session-Token", value: "srv-secret-123")]
        #expect(LeakScanner.scan(raw, rules: .klarna).contains(LeakFinding(exchangeID: nil, location: "request.header.x-auth-token", kind: .credential)))
        let redacted = redactor.redact(raw)
        for name in secrets { #expect(redacted.requestHeaders.value(of: name).map(Pseudonymizer.isRedacted) == true, "\(name)") }
        for name in kept { #expect(redacted.requestHeaders.value(of: name) == "hdr-secret-def", "\(name)") }
        #expect(redacted.responseHeaders.value(of: "X-Session-Token").map(Pseudonymizer.isRedacted) == true)
        #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty, "\(LeakScanner.scan(redacted, rules: .klarna))")
    }

    @Test func aTargetWithNothingInItIsKeptAsItWas() {
        for target in ["/payments/v1/sessions/0b1d9815-165e-42e2-8867-35bc03789e00", "/orders/2026/11?page=3&sort=-date", "/a%2Fb/c"] {
            let redacted = redactor.redact(exchange(method: "GET", target: target))
            #expect(redacted.target == target)
            #expect(redacted.redactions.isEmpty, "\(redacted.redactions)")
        }
    }

    @Test func findingsBecomePseudonymsOfTheirKind() throws {
        let redacted = redactor.redact(buggyRequests[0])
        let body = try JSONParser.parse(redacted.requestBody)
        let notes = try #require(body["notes"]?.stringValue)
        #expect(notes.hasPrefix("call redacted:") && notes.hasSuffix("~email today"))
        #expect(PseudonymToken(try #require(body["merchant_reference2"]?.stringValue))?.hint == .format(.phone))
        #expect(redacted.redactions.contains("request.body.notes"))
        let served = ReplayBodyRenderer.renderingInlineTokens(in: notes)
        #expect(served.hasPrefix("call redacted.") && served.hasSuffix("@example.invalid today"))
    }

    @Test func aBodyThatCannotBeParsedIsWithheld() throws {
        let truncated = redactor.redact(buggyRequests[1])
        let text = String(decoding: truncated.requestBody, as: UTF8.self)
        #expect(WithheldBody.isMarker(truncated.requestBody))
        #expect(text.contains("\(buggyRequests[1].requestBody.count) bytes, not valid JSON") && text.contains("digest redacted:"))
        #expect(truncated.redactions.contains("request.body (withheld)"))
        let binary = redactor.redact(exchange(target: "/upload", body: "") .with(body: [0xFF, 0xFE, 0x00, 0x41]))
        #expect(String(decoding: binary.requestBody, as: UTF8.self).contains("4 bytes, not UTF-8 text"))
        #expect(redactor.redact(truncated).requestBody == truncated.requestBody, "redaction is idempotent")
        // The stored line reads back as what it says.
        let read = try #require(WithheldBody(marker: truncated.requestBody))
        #expect(read.length == buggyRequests[1].requestBody.count && read.reason == "not valid JSON" && read.digest.hasPrefix("redacted:"))
        #expect(read.bytes == truncated.requestBody)
        #expect(WithheldBody(marker: Array("sessproxy: body withheld (twelve bytes, x), digest d".utf8)) == nil)
        #expect(WithheldBody(marker: Array("{\"a\":1}".utf8)) == nil)
    }

    @Test func liveRequestsWithTheRealDataStillMatch() throws {
        let matcher = ReplayMatcher()
        for request in buggyRequests {
            let recorded = redactor.redact(request)
            let live = ReplayRequest(method: request.method, target: request.target, headers: request.requestHeaders, body: request.requestBody)
            #expect(matcher.key(for: live) == matcher.key(for: recorded), "\(request.target)")
            #expect(matcher.matchKey(for: recorded) == ReplayMatchKey.digest(of: matcher.key(for: live)))
        }
    }

    /// A number where the document says integer is a count or an amount: never masked, never
    /// reported. The same digits in a field the document does not type are.
    @Test func typedNumbersAreLeftAloneUntypedOnesAreNot() throws {
        let card = "4111111111111111"
        let body = #"{"purchase_country":"GB","order_amount":\#(card),"order_lines":[{"quantity":\#(card),"subscription":{"interval_count":\#(card)}}],"loyalty_number":\#(card)}"#
        let redacted = redactor.redact(exchange(target: "/payments/v1/sessions", body: body, operation: .create))
        let json = try JSONParser.parse(redacted.requestBody)
        #expect(json["order_amount"] == .number(card))
        #expect(json["order_lines"]?[0]?["quantity"] == .number(card))
        #expect(json["order_lines"]?[0]?["subscription"]?["interval_count"] == .number(card))
        #expect(json["loyalty_number"]?.stringValue?.hasPrefix("redacted:") == true)
        #expect(LeakScanner.scan(redacted, rules: .klarna).isEmpty)
        let unredacted = exchange(target: "/payments/v1/sessions", body: body, operation: .create)
        #expect(LeakScanner.scan(unredacted, rules: .klarna).map(\.location) == ["request.body.loyalty_number"])
    }
}

extension RecordedExchange {
    fileprivate func with(body: [UInt8]) -> RecordedExchange {
        var copy = self
        copy.requestBody = body
        return copy
    }
}
