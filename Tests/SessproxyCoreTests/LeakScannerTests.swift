import Testing
@testable import SessproxyCore

@Suite struct LeakScannerTests {
    let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 3, count: 32)))

    static let createBody = #"""
        {"purchase_country":"GB","purchase_currency":"GBP","order_amount":16697,"order_tax_amount":2783,
         "order_lines":[{"reference":"SKU-TR-4471-42","name":"Trail running shoe","quantity":2,"unit_price":8999,"total_amount":16198,
           "product_identifiers":{"global_trade_item_number":"5012345678900"}}],
         "billing_address":{"given_name":"Jane","family_name":"Doe","email":"jane.doe@example.com","phone":"+447700900123",
           "street_address":"10 Example Street","postal_code":"EC1A 1BB","city":"London","country":"GB"},
         "customer":{"type":"person","date_of_birth":"1980-01-01","national_identification_number":"198001011234"},
         "merchant_urls":{"confirmation":"https://shop.example.com/checkout/confirmation?sid={session.id}"},
         "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
           "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane.doe@example.com\",\"account_registration_date\":\"2021-04-01T09:30:00Z\"}]}"}}
        """#

    static let createResponse = #"""
        {"session_id":"3f9c2a1e-7b4d-4c8e-9a61-2d5e8f0b7c13",
         "client_token":"eyJhbGciOiJSUzI1NiJ9.eyJzZXNzaW9uX2lkIjoiM2Y5YyJ9.c2lnbmF0dXJl",
         "payment_method_categories":[{"identifier":"klarna","name":"Pay with Klarna"}]}
        """#

    func exchange(
        requestBody: String = "{}", responseBody: String = "{}", target: String = "/payments/v1/sessions",
        requestHeaders: [HeaderField] = [HeaderField(name: "Content-Type", value: "application/json")]
    ) -> RecordedExchange {
        RecordedExchange(
            id: 7, startedAt: .init(timeIntervalSince1970: 1_700_000_000), durationMicros: 1_700_000_000_123, method: "POST", target: target,
            operation: .create, sessionID: nil, upstream: "https://api.playground.klarna.com",
            requestHeaders: requestHeaders, requestBody: Array(requestBody.utf8), status: 200,
            responseHeaders: [
                HeaderField(name: "Content-Type", value: "application/json"),
                HeaderField(name: "Klarna-Correlation-Id", value: "0f6c7d9e-2a41-4b55-8c3e-6d1a2b3c4d5e"),
                HeaderField(name: "X-Request-Time", value: "1700000000123"),
            ],
            responseBody: Array(responseBody.utf8))
    }

    func kinds(_ findings: [LeakFinding], at location: String) -> Set<LeakKind> {
        Set(findings.filter { $0.location == location }.map(\.kind))
    }

    @Test func properlyRedactedExchangeIsClean() {
        let raw = exchange(
            requestBody: Self.createBody, responseBody: Self.createResponse,
            requestHeaders: [HeaderField(name: "Authorization", value: "Basic dXNlcjpzZWNyZXQ="), HeaderField(name: "User-Agent", value: "shop/1.0")])
        #expect(!LeakScanner.scan(raw, rules: .klarna).isEmpty, "the unredacted sample must have findings")
        let findings = LeakScanner.scan(redactor.redact(raw), rules: .klarna)
        #expect(findings.isEmpty, "\(findings)")
    }

    @Test func findsAPlantedEmailAnywhere() {
        let findings = LeakScanner.scan(exchange(responseBody: #"{"note":"mail jane.doe@example.com today"}"#), rules: .klarna)
        #expect(findings == [LeakFinding(exchangeID: 7, location: "response.body.note", kind: .email)])
    }

    @Test func findsAJWT() {
        let findings = LeakScanner.scan(exchange(responseBody: #"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nature_x"}"#), rules: .klarna)
        #expect(kinds(findings, at: "response.body.token") == [.jwt])
    }

    @Test func findsAnUnredactedBasicHeaderButNotAPseudonym() {
        let leaked = LeakScanner.scan(
            exchange(requestHeaders: [HeaderField(name: "Authorization", value: "Basic dXNlcjpzZWNyZXQ=")]), rules: .klarna)
        #expect(kinds(leaked, at: "request.header.authorization") == [.credential, .unredactedField])
        let pseudonym = LeakScanner.scan(
            exchange(requestHeaders: [HeaderField(name: "Authorization", value: "Basic redacted:0123456789abcdef")]), rules: .klarna)
        #expect(pseudonym.isEmpty, "\(pseudonym)")
        let bearer = LeakScanner.scan(
            exchange(requestHeaders: [HeaderField(name: "X-Upstream-Auth", value: "Bearer abc.def-123")]), rules: .klarna)
        #expect(kinds(bearer, at: "request.header.x-upstream-auth") == [.credential])
        // A challenge names a scheme and its parameters; no credential is in it.
        for challenge in [#"Basic realm="klarna""#, #"Bearer realm="api", error="invalid_token""#, "Basic realm=api, charset=UTF-8"] {
            let header = HeaderField(name: "X-Upstream-Challenge", value: challenge)
            #expect(LeakScanner.scan(exchange(requestHeaders: [header]), rules: .klarna).isEmpty, "\(challenge)")
        }
    }

    @Test func findsACardNumberButNotATimestampOrGTIN() {
        let findings = LeakScanner.scan(
            exchange(requestBody: #"{"note":"card 4111 1111 1111 1111","amount":4111111111111111,"gtin":"5012345678900","ts":1700000000123}"#),
            rules: .klarna)
        #expect(kinds(findings, at: "request.body.note") == [.cardNumber])
        #expect(kinds(findings, at: "request.body.amount") == [.cardNumber])
        #expect(findings.count == 2, "\(findings)")
    }

    @Test func findsAnUnredactedBillingEmail() {
        let findings = LeakScanner.scan(exchange(requestBody: #"{"billing_address":{"email":"a@b.se","country":"SE"}}"#), rules: .klarna)
        #expect(kinds(findings, at: "request.body.billing_address.email") == [.email, .unredactedField])
        #expect(kinds(findings, at: "request.body.billing_address.country") == [.unredactedField])
    }

    @Test func findsAnEmailInsideAttachmentBody() {
        let body = #"{"attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json","body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane@example.se\"}]}"}}"#
        let findings = LeakScanner.scan(exchange(requestBody: body), rules: .klarna)
        #expect(kinds(findings, at: "request.body.attachment.body>customer_account_info[0].unique_account_identifier") == [.email, .unredactedField])
    }

    @Test func findsPhoneNumbersNationalIDsAndSecretsInPaths() {
        let findings = LeakScanner.scan(
            exchange(
                requestBody: #"{"contact":"+46 70 123 45 67","customer_ssn":"123-45-6789","merchant_id":"K123","created":"2024-11-20T17:05:12+01:00"}"#,
                target: "/payments/v1/authorizations/b7e5c0d2-5f3a/order?email=jane%40example.se"),
            rules: .klarna)
        #expect(kinds(findings, at: "request.body.contact") == [.phoneNumber])
        #expect(kinds(findings, at: "request.body.customer_ssn") == [.nationalID])
        #expect(kinds(findings, at: "request.path") == [.email, .unredactedField])
        #expect(findings.count == 4, "\(findings)")
    }

    @Test func nonJSONBodiesAreScannedAsText() {
        let findings = LeakScanner.scan(exchange(responseBody: "<html>Contact support@klarna.example.com</html>"), rules: .klarna)
        #expect(findings == [LeakFinding(exchangeID: 7, location: "response.body", kind: .email)])
    }

    @Test func findingsNeverContainTheValue() {
        let raw = exchange(
            requestBody: Self.createBody, responseBody: Self.createResponse,
            requestHeaders: [HeaderField(name: "Authorization", value: "Basic dXNlcjpzZWNyZXQ=")])
        let findings = LeakScanner.scan(raw, rules: .klarna)
        #expect(findings.count > 5)
        let rendered = findings.map { $0.json.canonicalText }.joined(separator: "\n")
        for secret in ["jane.doe", "example.com", "447700900123", "Jane", "dXNlcjpzZWNyZXQ=", "eyJhbGci", "198001011234", "London"] {
            #expect(!rendered.contains(secret), "\(secret) appears in findings")
        }
    }
}
