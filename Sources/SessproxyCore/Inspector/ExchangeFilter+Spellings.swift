/// Free text as it can stand in a stored body. Bodies are kept as sent, and JSON encoders spell
/// the same string differently: Python's `json.dumps` writes `Müller` as `M\u00fcller`, PHP's
/// `json_encode` writes `https://` as `https:\/\/` (and escapes non-ASCII too), and every encoder
/// escapes quotes and backslashes inside a string. A search finds the text in any of these
/// spellings, so that what someone reads in the inspector's detail view, decoded, is what they can
/// search for.
extension ExchangeFilter {
    /// The free text's spellings in a body: as typed first, then each JSON-escaped form that
    /// differs from it. One spelling for text of plain ASCII letters, digits and punctuation
    /// other than `/`, `"` and `\`.
    public var bodySpellings: [String] {
        guard let text else { return [] }
        var spellings = [text]
        for escapingNonASCII in [false, true] {
            for escapingSlash in [false, true] {
                let spelling = Self.jsonSpelling(of: text, escapingNonASCII: escapingNonASCII, escapingSlash: escapingSlash)
                if !spellings.contains(spelling) { spellings.append(spelling) }
            }
        }
        return spellings
    }

    /// `text` as it stands inside a JSON string: quotes and backslashes escaped, and, as asked,
    /// every scalar past ASCII as `\u` escapes of its UTF-16 units (lower-case hex: SQLite's
    /// `LIKE` and `matches` fold ASCII letters, so upper-case hex is found as well) and `/` as `\/`.
    static func jsonSpelling(of text: String, escapingNonASCII: Bool, escapingSlash: Bool) -> String {
        var spelling = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": spelling += "\\\""
            case "\\": spelling += "\\\\"
            case "/" where escapingSlash: spelling += "\\/"
            case _ where escapingNonASCII && !scalar.isASCII:
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    spelling += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            default: spelling.unicodeScalars.append(scalar)
            }
        }
        return spelling
    }
}
