/// What the cassette stores instead of a body that cannot be parsed (JSON that does not parse,
/// bytes that are not UTF-8): its length, a keyed digest — equal bodies still compare equal and
/// a changed one shows as changed — and why it was withheld. Personal data inside such a body
/// cannot be found reliably, so none of it is kept.
///
/// Stored as one line of text: `sessproxy: body withheld (1234 bytes, not valid JSON), digest redacted:<hex>`.
public struct WithheldBody: Sendable, Hashable {
    public static let markerPrefix = "sessproxy: body withheld ("

    public var length: Int
    public var digest: String
    public var reason: String

    public init(length: Int, digest: String, reason: String) {
        self.length = length
        self.digest = digest
        self.reason = reason
    }

    public var text: String { "\(Self.markerPrefix)\(length) bytes, \(reason)), digest \(digest)" }

    public var bytes: [UInt8] { Array(text.utf8) }

    public static func isMarker(_ body: [UInt8]) -> Bool {
        body.starts(with: markerPrefix.utf8)
    }

    /// The stored line read back (`text`), so that whoever shows the body can speak of the
    /// body that was withheld rather than of the line that stands for it; nil for anything else.
    public init?(marker body: [UInt8]) {
        guard Self.isMarker(body), let line = String(validating: body, as: UTF8.self) else { return nil }
        let rest = line.dropFirst(Self.markerPrefix.count)
        guard let space = rest.firstIndex(of: " "), let length = Int(rest[..<space]), rest[space...].hasPrefix(" bytes, "),
            let close = rest.range(of: "), digest ", options: .backwards)
        else { return nil }
        let reasonStart = rest.index(space, offsetBy: " bytes, ".count)
        guard reasonStart <= close.lowerBound else { return nil }
        self.init(length: length, digest: String(rest[close.upperBound...]), reason: String(rest[reasonStart..<close.lowerBound]))
    }

    /// `name=value&…` with nothing a form encoder would not write (no spaces, no line breaks;
    /// brackets, as in `billing_address[email]`, left unescaped by some).
    static func looksLikeForm(_ body: [UInt8]) -> Bool {
        guard body.contains(UInt8(ascii: "=")), body.count <= 1 << 20 else { return false }
        return body.allSatisfy { byte in
            PercentEncoding.isUnreserved(byte) || "%=&+*:/@,;!$'()[]".utf8.contains(byte)
        }
    }
}
