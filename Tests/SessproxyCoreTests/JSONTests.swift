import Testing
@testable import SessproxyCore

@Suite struct JSONTests {
    @Test func parsesAndKeepsNumberLexemesAndKeyOrder() throws {
        let json = try JSONParser.parse(#"{"b": 9007199254740993, "a": [1.50, -0, 2e3], "s": "x\u00e9\n"}"#)
        #expect(json["b"]?.int64Value == 9_007_199_254_740_993)
        #expect(JSONSerializer.string(json) == #"{"b":9007199254740993,"a":[1.50,-0,2e3],"s":"xé\n"}"#)
    }

    @Test func canonicalFormIgnoresKeyOrderAndWhitespace() throws {
        let jackson = try JSONParser.parse("{\n  \"error_code\" : \"BAD_VALUE\",\n  \"correlation_id\" : \"c\"\n}")
        let compact = try JSONParser.parse(#"{"correlation_id":"c","error_code":"BAD_VALUE"}"#)
        #expect(jackson.canonicalText == compact.canonicalText)
        #expect(jackson.canonicalText == #"{"correlation_id":"c","error_code":"BAD_VALUE"}"#)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "\"\\x\"", "tru", "{\"a\":1}x", "\"\u{01}\"", "[\"\\ud800\"]"])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsExcessiveNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(deep) }
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test func prettyOutputIsSortedAndIndented() throws {
        let json = try JSONParser.parse(#"{"b":[1],"a":{}}"#)
        #expect(JSONSerializer.string(json, style: .pretty) == "{\n  \"a\": {},\n  \"b\": [\n    1\n  ]\n}")
    }
}
