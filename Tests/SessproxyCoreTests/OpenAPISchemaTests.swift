import Testing
@testable import SessproxyCore

/// The OpenAPI document shipped in the binary, read into schemas; its patterns both checked and
/// sampled; bodies validated against it.
@Suite struct OpenAPISchemaTests {
    let document = OpenAPIDocument.klarna

    @Test func sessionsOperationsComeFromTheDocument() throws {
        #expect(document.operation(method: "POST", path: "/payments/v1/sessions")?.operationID == "createCreditSession")
        #expect(document.operation(method: "GET", path: "/payments/v1/sessions/abc?x=1")?.operationID == "readCreditSession")
        #expect(document.operation(method: "POST", path: "/payments/v1/sessions/abc")?.operationID == "updateCreditSession")
        #expect(document.operation(method: "DELETE", path: "/payments/v1/sessions/abc") == nil)
        let read = try #require(document.responseSchema(for: .read, status: 200))
        let entityTypes = try #require(read.node(at: [.key("customer"), .key("organization_entity_type")])?.enumValues)
        #expect(entityTypes.count == 11 && entityTypes.contains("LIMITED_COMPANY"))
        #expect(read.node(at: [.key("billing_address"), .key("postal_code")])?.maxLength == 10)
        #expect(read.node(at: [.key("order_lines"), .index(3), .key("quantity")])?.isNumeric == true)
        #expect(document.responseSchema(for: .create, status: 200)?.required.sorted() == ["client_token", "session_id"])
        #expect(document.responseSchema(for: .update, status: 204) == nil)
    }

    @Test(arguments: [
        "^[A-Za-z]{2,2}$", "^[A-Za-z]{3,3}$", "^[A-Za-z]{2,2}(?:-[A-Za-z]{2,2})*$", "^#[A-Fa-f0-9]{6}$", "^([0-9]{4}|[0-9]{9})$",
        "^(person|organization)$",
    ])
    func documentPatternsAreUnderstoodAndSampled(_ text: String) throws {
        let pattern = SchemaPattern(text)
        #expect(pattern.isUnderstood)
        for seed in 0..<20 {
            var entropy = StandInEntropy(seed: "seed-\(seed)")
            let sample = try #require(pattern.sample(using: &entropy))
            #expect(pattern.matches(sample), "\(sample)")
        }
    }

    @Test func patternsCheckLikeECMARegularExpressions() {
        #expect(SchemaPattern("^[A-Za-z]{2,2}$").matches("gb"))
        #expect(!SchemaPattern("^[A-Za-z]{2,2}$").matches("GBR"))
        #expect(!SchemaPattern("^[A-Za-z]{2,2}$").matches("redacted:008d497c2ea193bd"))
        #expect(SchemaPattern("^[A-Za-z]{2,2}(?:-[A-Za-z]{2,2})*$").matches("en-GB"))
        #expect(!SchemaPattern("^[A-Za-z]{2,2}(?:-[A-Za-z]{2,2})*$").matches("en-"))
        #expect(!SchemaPattern("^#[A-Fa-f0-9]{6}$").matches("#6280BE*"))
        #expect(SchemaPattern("^([0-9]{4}|[0-9]{9})$").matches("123456789"))
        #expect(!SchemaPattern("^([0-9]{4}|[0-9]{9})$").matches("12345"))
        #expect(SchemaPattern("b+").matches("abbbc"), "unanchored patterns match anywhere")
        #expect(!SchemaPattern("(?=x)").isUnderstood)
    }

    @Test func validatorNamesWhatTheFuzzerFound() throws {
        let update = try #require(document.requestSchema(for: .update))
        let body = try JSONParser.parse(#"""
            {"order_lines":[{"name":"x","quantity":1,"unit_price":1,"total_amount":[]}],"options":{"color_border":"#6280BE*"},
             "purchase_country":"GBR","customer":{"organization_entity_type":"redacted:008d497c2ea193bd"},"intent":"buy","extra":1}
            """#)
        let paths = Set(SchemaValidator.violations(of: body, against: update).map(\.path))
        #expect(paths == [
            "order_lines[0].total_amount", "options.color_border", "purchase_country", "customer.organization_entity_type",
        ])
        let create = try #require(document.requestSchema(for: .create))
        let missing = SchemaValidator.violations(of: .object([]), against: create).map(\.path)
        #expect(Set(missing) == ["order_amount", "order_lines", "purchase_country", "purchase_currency"])
    }
}
