/// Free text as it can stand in a stored body. Bodies are kept as sent, and JSON encoders spell
/// the same string differently: Python's `json.dumps` writes `Müller` as `M\u00fcller`, PHP's
/// `json_encode` writes `https://` as `https:\/\/` (and escapes non-ASCII too), Go's
/// `json.Marshal` writes `<`, `>` and `&` as `\u003c`, `\u003e` and `\u0026`, and every encoder
/// escapes quotes and backslashes inside a string. A search finds the text in each of these
/// spellings, so that what someone reads in the inspector's detail view, decoded, is what they can
/// search for. (A body that escapes only some of its characters, as no common encoder does, is
/// not found by the decoded text.)
extension ExchangeFilter {
    /// How one family of encoders escapes inside a string, beyond quotes and backslashes.
    struct JSONEscaping: Equatable {
        var nonASCII = false
        var slash = false
        var htmlSpecials = false

        /// Jackson, Swift, JavaScript, Ruby; Python; PHP with `JSON_UNESCAPED_UNICODE`; PHP; Go.
        static let common: [JSONEscaping] = [
            JSONEscaping(), JSONEscaping(nonASCII: true), JSONEscaping(slash: true), JSONEscaping(nonASCII: true, slash: true),
            JSONEscaping(htmlSpecials: true),
        ]
    }

    /// The free text's spellings in a body: as typed first, then each JSON-escaped form that
    /// differs from it. One spelling for text of plain ASCII letters, digits and punctuation
    /// other than `/`, `"`, `\`, `<`, `>` and `&`.
    public var bodySpellings: [String] {
        guard let text else { return [] }
        var spellings = [text]
        for escaping in JSONEscaping.common {
            let spelling = Self.jsonSpelling(of: text, escaping: escaping)
            if !spellings.contains(spelling) { spellings.append(spelling) }
        }
        return spellings
    }

    /// The free text's spellings in a request target: as typed, then percent-encoded as clients
    /// send it (`Jürgen` as `J%C3%BCrgen`, a space as `%20` or, in a query, `+`). Only what a
    /// client must encode is: letters past ASCII, spaces, controls, `"`, `<`, `>`, `` ` ``, `{`, `}`,
    /// `|`, `\` and `^`.
    public var targetSpellings: [String] {
        guard let text else { return [] }
        let clientKeeps = { (byte: UInt8) in byte >= 0x20 && byte < 0x80 && !#""<>`{}|\^"#.utf8.contains(byte) }
        var spellings = [text]
        let withPlus = String(PercentEncoding.encode(text, keeping: clientKeeps).map { $0 == " " ? "+" : $0 })
        for spelling in [PercentEncoding.encode(text) { clientKeeps($0) && $0 != 0x20 }, withPlus] where !spellings.contains(spelling) {
            spellings.append(spelling)
        }
        return spellings
    }

    /// `text` as it stands inside a JSON string: quotes and backslashes escaped, and, as asked,
    /// every scalar past ASCII as `\u` escapes of its UTF-16 units (lower-case hex: SQLite's
    /// `LIKE` and `matches` fold ASCII letters, so upper-case hex is found as well), `/` as `\/`,
    /// and `<`, `>`, `&` as `\u` escapes.
    static func jsonSpelling(of text: String, escaping: JSONEscaping) -> String {
        var spelling = ""
        func appendUnicodeEscapes(of scalar: Unicode.Scalar) {
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                spelling += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": spelling += "\\\""
            case "\\": spelling += "\\\\"
            case "/" where escaping.slash: spelling += "\\/"
            case _ where escaping.htmlSpecials && (scalar == "<" || scalar == ">" || scalar == "&"): appendUnicodeEscapes(of: scalar)
            case _ where escaping.nonASCII && !scalar.isASCII: appendUnicodeEscapes(of: scalar)
            default: spelling.unicodeScalars.append(scalar)
            }
        }
        return spelling
    }
}
