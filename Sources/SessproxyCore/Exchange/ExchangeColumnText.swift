/// How a stored exchange keeps its header lists and redaction notes, in a cassette's row and in a
/// fleet store's alike: JSON text, a header list as `[[name, value], …]` in order, the notes as an
/// array of strings. Written straight from the values, without building a document first: the
/// cassette writer encodes three of these per exchange.
public enum ExchangeColumnText {
    public static func headers(_ headers: [HeaderField]) -> String {
        String(decoding: JSONSerializer.bytes(ofPairs: headers.lazy.map { ($0.name, $0.value) }), as: UTF8.self)
    }

    /// The header list of `headers(_:)`'s text; entries that are not two strings are skipped, and
    /// text that is not a JSON array gives none.
    public static func headers(from text: String) -> [HeaderField] {
        guard let pairs = (try? JSONParser.parse(text))?.arrayValue else { return [] }
        return pairs.compactMap { pair in
            guard let name = pair[0]?.stringValue, let value = pair[1]?.stringValue else { return nil }
            return HeaderField(name: name, value: value)
        }
    }

    public static func notes(_ notes: [String]) -> String {
        String(decoding: JSONSerializer.bytes(ofStrings: notes), as: UTF8.self)
    }

    /// The notes of `notes(_:)`'s text; entries that are not strings are skipped.
    public static func notes(from text: String) -> [String] {
        (try? JSONParser.parse(text))?.arrayValue?.compactMap(\.stringValue) ?? []
    }
}
