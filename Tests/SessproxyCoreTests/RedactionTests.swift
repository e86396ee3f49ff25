import Testing
@testable import SessproxyCore

@Suite struct RedactionTests {
    let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 7, count: 32)))

    static let createBody = #"""
        {"purchase_country":"GB","order_amount":100,"billing_address":{"given_name":"Jane","email":"jane.doe@example.com","country":"GB"},
         "shipping_address":{"email":"jane.doe@example.com"},"customer":{"type":"person","date_of_birth":"1980-01-01"},
         "merchant_data":"loyalty=123","order_lines":[{"reference":"A","merchant_data":"x"}],
         "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
           "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane.doe@example.com\",\"number_of_purchases\":3}]}"}}
        """#

    func exchange(requestBody: String, responseBody: String = "", target: String = "/payments/v1/sessions") -> RecordedExchange {
        RecordedExchange(
            startedAt: .init(timeIntervalSince1970: 0), durationMicros: 1, method: "POST", target: target, operation: .create,
            sessionID: nil, upstream: "https://api.playground.klarna.com",
            requestHeaders: [HeaderField(name: "Authorization", value: "Basic dXNlcjpzZWNyZXQ="), HeaderField(name: "User-Agent", value: "shop")],
            requestBody: Array(requestBody.utf8), status: 200,
            responseHeaders: [HeaderField(name: "Set-Cookie", value: "sid=abc")], responseBody: Array(responseBody.utf8))
    }

    @Test func removesEveryPersonalDataFieldAndSecret() throws {
        let redacted = redactor.redact(exchange(
            requestBody: Self.createBody, responseBody: #"{"session_id":"s1","client_token":"eyJ.secret.sig"}"#))
        let stored = String(decoding: redacted.requestBody + redacted.responseBody, as: UTF8.self)
            + redacted.requestHeaders.map(\.value).joined() + redacted.responseHeaders.map(\.value).joined()
        for secret in ["jane.doe@example.com", "Jane", "1980-01-01", "loyalty=123", "eyJ.secret.sig", "dXNlcjpzZWNyZXQ=", "sid=abc"] {
            #expect(!stored.contains(secret), "\(secret) leaked")
        }
        let body = try JSONParser.parse(redacted.requestBody)
        #expect(body["purchase_country"] == "GB")
        #expect(body["order_amount"] == 100)
        #expect(body["customer"]?["type"] == "person")
        #expect(redacted.requestHeaders.value(of: "Authorization")?.hasPrefix("Basic redacted:") == true)
        #expect(redacted.requestHeaders.value(of: "User-Agent") == "shop")
        #expect(redacted.redactions.contains("request.body.billing_address.email"))
        #expect(redacted.redactions.contains("request.header.authorization"))
        #expect(redacted.redactions.contains("response.body.client_token"))
        #expect(!redacted.redactions.joined().contains("jane"))
    }

    @Test func redactsTheJSONInsideAttachmentBody() throws {
        let redacted = redactor.redact(exchange(requestBody: Self.createBody))
        let body = try JSONParser.parse(redacted.requestBody)
        let inner = try JSONParser.parse(try #require(body["attachment"]?["body"]?.stringValue))
        let account = try #require(inner["customer_account_info"]?[0])
        #expect(account["unique_account_identifier"]?.stringValue?.hasPrefix(Pseudonymizer.prefix) == true)
        #expect(account["number_of_purchases"] == 3)
        #expect(redacted.redactions.contains("request.body.attachment.body>customer_account_info[0].unique_account_identifier"))
    }

    @Test func pseudonymsAreStableAndDistinguishValues() throws {
        let first = try JSONParser.parse(redactor.redact(exchange(requestBody: Self.createBody)).requestBody)
        let second = try JSONParser.parse(redactor.redact(exchange(requestBody: Self.createBody)).requestBody)
        #expect(first == second)
        #expect(first["billing_address"]?["email"] == first["shipping_address"]?["email"])
        #expect(first["billing_address"]?["email"] != first["billing_address"]?["given_name"])
        let otherKey = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 8, count: 32)))
        let third = try JSONParser.parse(otherKey.redact(exchange(requestBody: Self.createBody)).requestBody)
        #expect(third["billing_address"]?["email"] != first["billing_address"]?["email"])
    }

    @Test func redactionIsIdempotent() {
        let once = redactor.redact(exchange(requestBody: Self.createBody))
        let twice = redactor.redact(once)
        #expect(once.requestBody == twice.requestBody)
        #expect(once.requestHeaders == twice.requestHeaders)
    }

    @Test func redactsAuthorizationTokensInPaths() {
        let redacted = redactor.redact(exchange(requestBody: "{}", target: "/payments/v1/authorizations/b7e5c0d2-5f3a/order"))
        #expect(!redacted.target.contains("b7e5c0d2-5f3a"))
        #expect(redacted.target.hasPrefix("/payments/v1/authorizations/redacted:") && redacted.target.hasSuffix("/order"))
    }

    @Test func placeholderModeNeedsNoKey() throws {
        let live = Redactor(rules: .klarna, pseudonymizer: .placeholderOnly)
        let body = try JSONParser.parse(live.redact(exchange(requestBody: Self.createBody)).requestBody)
        #expect(body["billing_address"]?["email"] == "redacted")
    }

    @Test func configAdditionsAndKeepPathsApply() throws {
        let rules = RedactionRules.klarna.extended(with: RedactionAdditions(
            headers: ["X-Shop-Token"], paths: [try JSONPathPattern("purchase_country")],
            keepPaths: [try JSONPathPattern("**.billing_address.country")]))
        let custom = Redactor(rules: rules, pseudonymizer: Pseudonymizer(keyBytes: [1, 2, 3]))
        var input = exchange(requestBody: Self.createBody)
        input.requestHeaders.append(HeaderField(name: "x-shop-token", value: "tok"))
        let redacted = custom.redact(input)
        let body = try JSONParser.parse(redacted.requestBody)
        #expect(body["purchase_country"]?.stringValue?.hasPrefix("redacted:") == true)
        #expect(body["billing_address"]?["country"] == "GB")
        #expect(redacted.requestHeaders.value(of: "x-shop-token")?.hasPrefix("redacted:") == true)
    }

    @Test func pathPatternsMatch() throws {
        let location: [JSONPathComponent] = [.key("order_lines"), .index(2), .key("merchant_data")]
        #expect(try JSONPathPattern("order_lines[*].merchant_data").matches(location))
        #expect(try JSONPathPattern("order_lines[2].merchant_data").matches(location))
        #expect(try JSONPathPattern("**.merchant_data").matches(location))
        #expect(!(try JSONPathPattern("order_lines[1].merchant_data").matches(location)))
        #expect(!(try JSONPathPattern("merchant_data").matches(location)))
        #expect(throws: JSONPathPattern.ParseError.self) { try JSONPathPattern("a..b") }
        #expect(location.pathString == "order_lines[2].merchant_data")
        // The path diff prints for an order line, given back to --ignore: told what to write instead.
        #expect {
            try JSONPathPattern("order_lines[ref=CAP-7].quantity")
        } throws: { error in
            (error as? JSONPathPattern.ParseError)?.reason == "[ref=CAP-7] is how diff names an order line; a path takes an index or * instead (order_lines[*]…)"
        }
    }
}

@Suite struct RedactionKeepsUntouchedValuesTests {
    @Test func alreadyRedactedAndNullValuesStayAsTheyAre() throws {
        let redactor = Redactor(rules: .klarna, pseudonymizer: .placeholderOnly)
        var changed: [String] = []
        let body = try JSONParser.parse(#"{"billing_address":{"email":"redacted:3fa9c2d1e0b4a789","phone":null},"order_amount":1}"#)
        let redacted = redactor.redactJSON(body, changed: &changed)
        #expect(redacted == body)
        #expect(changed.isEmpty)
    }
}
