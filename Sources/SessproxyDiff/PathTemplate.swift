import SessproxyCore

/// The shape of a request path with the ids taken out, so that the same call lines up across two
/// recordings whose sessions, orders and tokens necessarily differ:
/// `/payments/v1/sessions/{session_id}`, `/payments/v1/authorizations/{redacted}/order`.
enum PathTemplate {
    static func make(for exchange: RecordedExchange) -> String {
        let path = exchange.path
        let withSession = KlarnaRouteClassifier.replacingSessionID(in: path, with: NoiseFilter.sessionPlaceholder)
        guard withSession == path else { return withSession }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> Substring in
            if let id = exchange.sessionID, !id.isEmpty, segment == id { return Substring(NoiseFilter.sessionPlaceholder) }
            if Pseudonymizer.isRedacted(String(segment)) { return "{redacted}" }
            if looksLikeIdentifier(segment) { return "{id}" }
            return segment
        }
        return segments.joined(separator: "/")
    }

    /// A UUID, or a long run of letters, digits and dashes that contains a digit: an id, not a word.
    static func looksLikeIdentifier(_ segment: Substring) -> Bool {
        guard segment.count >= 16 else { return false }
        var hasDigit = false
        for character in segment.utf8 {
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): hasDigit = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"), UInt8(ascii: "_"): continue
            default: return false
            }
        }
        return hasDigit
    }
}
