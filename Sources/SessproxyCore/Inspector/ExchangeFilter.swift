/// What the inspector's list shows: filters that compose (all given ones must hold). The same
/// value filters a cassette in SQL (`Cassette.summaries`), the served requests of a replay run,
/// and the live feed, so the page never filters anything itself.
public struct ExchangeFilter: Sendable, Hashable {
    public var operation: KlarnaOperation?
    public var status: StatusFilter?
    public var sessionID: String?
    /// Free text over path and both bodies, ASCII letters in either case (as SQLite's `LIKE`);
    /// in bodies also as JSON encoders escape it (`bodySpellings`).
    public var text: String?

    /// `2xx`-style classes or one exact status.
    public enum StatusFilter: Sendable, Hashable {
        case classOf(Int)
        case exactly(Int)

        public var range: ClosedRange<Int> {
            switch self {
            case .classOf(let hundreds): return (hundreds * 100)...(hundreds * 100 + 99)
            case .exactly(let status): return status...status
            }
        }
    }

    public init(operation: KlarnaOperation? = nil, status: StatusFilter? = nil, sessionID: String? = nil, text: String? = nil) {
        self.operation = operation
        self.status = status
        self.sessionID = sessionID
        self.text = text
    }

    /// From the API's query parameters `operation`, `status` (`4xx` or `400`), `session`, `q`;
    /// empty values are no filter.
    public init(query: [String: String]) throws(InvalidQuery) {
        if let name = query.parameter("operation") {
            guard let operation = KlarnaOperation(rawValue: name) else {
                throw InvalidQuery(message: "operation must be one of create, read, update, other (got \(name))")
            }
            self.operation = operation
        }
        if let status = query.parameter("status") {
            let lowered = status.lowercased()
            if lowered.count == 3, lowered.hasSuffix("xx"), let digit = Int(lowered.prefix(1)), (1...5).contains(digit) {
                self.status = .classOf(digit)
            } else if let exact = Int(status), (100...599).contains(exact) {
                self.status = .exactly(exact)
            } else {
                throw InvalidQuery(message: "status must be a class like 4xx or a code like 400 (got \(status))")
            }
        }
        sessionID = query.parameter("session")
        text = query.parameter("q")
        // Its escaped spellings are up to 3.5 times as long, and SQLite refuses `LIKE` patterns
        // over 50,000 bytes.
        if let text, text.utf8.count > Self.longestText {
            throw InvalidQuery(message: "q must be at most \(Self.longestText) bytes (got \(text.utf8.count))")
        }
        // Stored bodies hold no raw control characters (JSON escapes them), and SQLite's `LIKE`
        // reads a NUL as the pattern's end: such text could only mislead.
        if let text, text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw InvalidQuery(message: "q must not contain control characters")
        }
    }

    /// The longest free text taken, in UTF-8 bytes.
    public static let longestText = 4_096

    public var isEmpty: Bool { operation == nil && status == nil && sessionID == nil && text == nil }

    /// Whether an exchange passes. Free text is read as SQLite's `LIKE` reads it (ASCII letters
    /// in either case, every other byte only as itself), so that the list, filtered in SQL, and
    /// the live feed and a replay run's rows, filtered here, always agree.
    public func matches(_ exchange: RecordedExchange) -> Bool {
        if let wanted = operation, wanted != exchange.operation { return false }
        if let wanted = status, !wanted.range.contains(exchange.status) { return false }
        if let wanted = sessionID, wanted != exchange.sessionID { return false }
        guard text != nil else { return true }
        let target = Array(exchange.target.utf8)
        if targetSpellings.contains(where: { Self.contains(target, Array($0.utf8)) }) { return true }
        return bodySpellings.contains { spelling in
            let needle = Array(spelling.utf8)
            return Self.contains(exchange.requestBody, needle) || Self.contains(exchange.responseBody, needle)
        }
    }

    /// `LIKE '%needle%'` without wildcards: a byte search folding ASCII letters only.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let folded = needle.map(Self.foldASCII)
        for start in 0...(haystack.count - needle.count) where Self.foldASCII(haystack[start]) == folded[0] {
            var offset = 1
            while offset < folded.count, Self.foldASCII(haystack[start + offset]) == folded[offset] { offset += 1 }
            if offset == folded.count { return true }
        }
        return false
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
