import Testing
@testable import SessproxyCore

/// What replay serves for redacted fields, for cassettes with format hints and for older ones
/// (`redacted:<hex>` only): valid against the answer's schema in Klarna's OpenAPI document.
@Suite struct ReplayBodyRendererTests {
    let renderer = ReplayBodyRenderer()
    let readSchema = OpenAPIDocument.klarna.responseSchema(for: .read, status: 200)!

    /// A read answer as a format-3 cassette holds it: every personal field a bare pseudonym.
    static let legacyRead = #"""
        {"purchase_country":"GB","purchase_currency":"GBP","order_amount":100,"order_lines":[{"name":"A","quantity":1,"unit_price":100,"total_amount":100}],
         "billing_address":{"given_name":"redacted:1111111111111111","email":"redacted:2222222222222222","phone":"redacted:3333333333333333",
           "postal_code":"redacted:4444444444444444","country":"redacted:5555555555555555","title":"redacted:6666666666666666"},
         "shipping_address":{"country":"redacted:5555555555555555","postal_code":"redacted:7777777777777777","title":"redacted:8888888888888888"},
         "customer":{"date_of_birth":"redacted:9999999999999999","organization_entity_type":"redacted:008d497c2ea193bd","title":"redacted:aaaaaaaaaaaaaaaa"},
         "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
           "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"redacted:2222222222222222\",\"account_registration_date\":\"redacted:bbbbbbbbbbbbbbbb\"}]}"},
         "client_token":"redacted:cccccccccccccccc","status":"incomplete"}
        """#

    @Test func olderCassettesReplaySchemaValid() throws {
        let before = try JSONParser.parse(Self.legacyRead)
        #expect(!SchemaValidator.violations(of: before, against: readSchema).isEmpty, "the stored form breaks the schema")
        let body = try #require(renderer.render(Array(Self.legacyRead.utf8), operation: .read, status: 200, sessionID: "S1"))
        let served = try JSONParser.parse(body)
        #expect(SchemaValidator.violations(of: served, against: readSchema) == [])
        #expect(served["billing_address"]?["email"]?.stringValue == "redacted.2222222222222222@example.invalid")
        #expect(served["billing_address"]?["phone"]?.stringValue?.hasPrefix("+999") == true)
        #expect(served["billing_address"]?["given_name"] == "redacted:1111111111111111", "free text stays plainly redacted")
        #expect(served["billing_address"]?["country"] == served["shipping_address"]?["country"], "equal pseudonyms, equal stand-ins")
        #expect(DateTimeText.isDate(Array(try #require(served["customer"]?["date_of_birth"]?.stringValue).utf8)))
        let inner = try JSONParser.parse(try #require(served["attachment"]?["body"]?.stringValue))
        let account = try #require(inner["customer_account_info"]?[0])
        #expect(account["unique_account_identifier"] == "redacted:2222222222222222", "not always an email: plainly redacted")
        #expect(FieldFormat.evident(in: try #require(account["account_registration_date"]?.stringValue)) == .timestamp)
        #expect(served["client_token"]?.stringValue == ReplayClientToken.clientToken(sessionID: "S1"))
        #expect(renderer.render(Array(Self.legacyRead.utf8), operation: .read, status: 200, sessionID: "S1") == body, "deterministic")
    }

    @Test func hintsWinOverTheLocation() throws {
        let body = #"{"billing_address":{"postal_code":"redacted:4444444444444444~=AAnA_nAA","email":"redacted:2222222222222222~email"},"merchant_reference1":"redacted:0123456789abcdef~date"}"#
        let served = try JSONParser.parse(try #require(renderer.render(Array(body.utf8), operation: .read, status: 200, sessionID: nil)))
        let postal = try #require(served["billing_address"]?["postal_code"]?.stringValue)
        #expect(postal.map(PseudonymToken.shapeClass) == Array("AAnA_nAA"), "\(postal)")
        #expect(DateTimeText.isDate(Array(try #require(served["merchant_reference1"]?.stringValue).utf8)))
    }

    @Test func answersWithoutPseudonymsAreServedAsRecorded() {
        let body = Array(#"{"status":"complete","billing_address":{"email":"someone@example.com"}}"#.utf8)
        #expect(renderer.render(body, operation: .read, status: 200, sessionID: nil) == nil)
    }
}
