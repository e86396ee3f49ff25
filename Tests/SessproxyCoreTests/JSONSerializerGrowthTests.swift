import Testing
@testable import SessproxyCore

/// The serializer's output buffer grows while it writes: documents far past its first
/// allocation, and single strings longer than all of it, come out byte for byte as a plain
/// reference writer spells them.
@Suite struct JSONSerializerGrowthTests {
    /// Compact JSON written the obvious way, one `String` at a time.
    func reference(_ value: JSONValue) -> String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let digits = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let lexeme): return lexeme
        case .string(let text): return quoted(text)
        case .array(let items): return "[" + items.map(reference).joined(separator: ",") + "]"
        case .object(let members): return "{" + members.map { quoted($0.key) + ":" + reference($0.value) }.joined(separator: ",") + "}"
        }
    }

    @Test func largeDocumentsComeOutAsTheReferenceWritesThem() throws {
        let long = String(repeating: "0123456789abcdef", count: 4_500) + "\u{1F}\"end"
        let lines = (0..<2_000).map { index in
            JSONValue.object([
                JSONMember(key: "reference", value: .string("SKU-\(index)")),
                JSONMember(key: "quantity", value: .number(String(index))),
                JSONMember(key: "note", value: index % 7 == 0 ? .string("tab\there \u{01}") : .null),
                JSONMember(key: "flags", value: .array([.bool(index % 2 == 0), .object([])])),
            ])
        }
        let document = JSONValue.object([
            JSONMember(key: "long", value: .string(long)),
            JSONMember(key: "order_lines", value: .array(lines)),
            JSONMember(key: "empty", value: .array([])),
        ])
        let bytes = JSONSerializer.bytes(document)
        #expect(bytes.count > 100_000)
        #expect(String(decoding: bytes, as: UTF8.self) == reference(document))
        #expect(try JSONParser.parse(JSONSerializer.bytes(document, style: .pretty)).canonicalText == document.canonicalText)
        #expect(JSONSerializer.bytes(ofStrings: [long, "", "a\"b"]) == Array(reference(.array([.string(long), .string(""), .string("a\"b")])).utf8))
    }
}
