/// Pattern detectors for personal data and secrets in free text (a header value, a path, a
/// JSON string leaf, a body that is not JSON). Hand-written byte scanners rather than regular
/// expressions, because an audit runs them over every leaf of every exchange of a big cassette.
/// Pseudonyms (`redacted:<hex>`) are blanked out before any detector runs, so they never count.
public enum LeakTextDetector {
    /// The kinds of leak present in `text`, in `LeakKind` order, each at most once.
    public static func kinds(in text: String) -> [LeakKind] {
        var seen = Set<LeakKind>()
        return spans(in: text).map(\.kind).filter { seen.insert($0).inserted }.sorted()
    }

    /// One finding in a text: its kind and the UTF-8 byte offsets it covers.
    public struct Span: Sendable, Hashable {
        public var kind: LeakKind
        public var range: Range<Int>
    }

    /// Every finding in `text` with where it is, in `LeakKind` order then by position. Audit
    /// reports the kinds; recording replaces the ranges with pseudonyms of the same kind.
    public static func spans(in text: String) -> [Span] {
        // The first look runs on the string's own bytes: most leaves stop there, uncopied.
        var text = text
        guard text.withUTF8(mayContainFinding) else { return [] }
        let raw = Array(text.utf8)
        let bytes = maskingPseudonyms(raw)
        var found: [Span] = []
        found += emailRanges(bytes).map { Span(kind: .email, range: $0) }
        found += phoneNumberRanges(bytes).map { Span(kind: .phoneNumber, range: $0) }
        found += credentialRanges(bytes).map { Span(kind: .credential, range: $0) }
        found += jwtRanges(bytes).map { Span(kind: .jwt, range: $0) }
        found += cardNumberRanges(bytes).map { Span(kind: .cardNumber, range: $0) }
        return found
    }

    /// Cheap first look, never false where a detector would find something: an email needs an
    /// `@`, a phone number a `+`, a JWT `eyJ`, a credential a `Basic`/`Bearer` word. A card number
    /// is looked for as `cardNumberRanges` does: in each run of digits (single spaces or dashes
    /// between) only from its first digit that follows a byte that is not a letter or digit,
    /// which must be 2–6 and begin 13 to 19 digits not followed by a letter. Most strings (names,
    /// SKUs, URLs, session ids) have none of these and are not scanned further.
    static func mayContainFinding(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(mayContainFinding)
    }

    static func mayContainFinding(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var cards = CardRunScan()
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "@"), UInt8(ascii: "+"): return true
            case UInt8(ascii: "e"):
                if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "y"), bytes[index + 2] == UInt8(ascii: "J") { return true }
            case UInt8(ascii: "B"), UInt8(ascii: "b"):
                if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "a") || bytes[index + 1] == UInt8(ascii: "e") { return true }
            default:
                break
            }
            if cards.next(byte, after: index == 0 ? nil : bytes[index - 1]) { return true }
        }
        return cards.next(nil, after: bytes.last)
    }

    /// The card-number part of `mayContainFinding`, one byte at a time (`nil`: end of text).
    private struct CardRunScan {
        var inRun = false
        var started = false
        var eligible = false
        var digits = 0
        var lastWasSeparator = false

        /// True when the run just ended could hold a card number.
        mutating func next(_ byte: UInt8?, after previous: UInt8?) -> Bool {
            if let byte, isDigit(byte) {
                if started {
                    digits += 1
                } else if previous.map({ !isAlphanumeric($0) }) ?? true {
                    started = true
                    eligible = (0x32...0x36).contains(byte)
                    digits = 1
                }
                inRun = true
                lastWasSeparator = false
                return false
            }
            if let byte, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-"), inRun, !lastWasSeparator {
                lastWasSeparator = true
                return false
            }
            let followedByLetter = !lastWasSeparator && byte.map(isLetter) == true
            let possible = started && eligible && (13...19).contains(digits) && !followedByLetter
            self = CardRunScan()
            return possible
        }
    }

    /// Whether the whole value is one email address (for choosing a stand-in's format).
    public static func isWholeEmail(_ bytes: [UInt8]) -> Bool {
        emailRanges(bytes) == [0..<bytes.count]
    }

    /// Whether the whole value is one phone number (for choosing a stand-in's format).
    public static func isWholePhoneNumber(_ bytes: [UInt8]) -> Bool {
        phoneNumberRanges(bytes) == [0..<bytes.count]
    }

    /// Whether a header value is an auth credential (`Basic …`, `Bearer …`) that is not a pseudonym.
    /// A credential is one token68 (base64 and its padding); a challenge's parameters
    /// (`WWW-Authenticate: Basic realm="klarna"`) are not one.
    public static func isUnredactedCredential(headerValue: String) -> Bool {
        let trimmed = headerValue.trimmingLeadingSpaces
        for scheme in ["basic", "bearer"] {
            guard trimmed.count > scheme.count, trimmed.lowercased().hasPrefix(scheme + " ") else { continue }
            let rest = String(trimmed.dropFirst(scheme.count + 1)).trimmingLeadingSpaces
            guard !rest.isEmpty, !Pseudonymizer.isRedacted(rest) else { return false }
            let bytes = Array(rest.utf8)
            let body = bytes.prefix { isToken68Byte($0) }
            return bytes.dropFirst(body.count).allSatisfy { $0 == UInt8(ascii: "=") } && !body.isEmpty
        }
        return false
    }

    /// Whether a header's name says it carries a credential (`X-Auth-Token`, `X-Api-Key`,
    /// `X-Client-Secret`, `X-Access-Key`): its value is a secret whatever it looks like. Read
    /// word by word, so `Klarna-Idempotency-Key` and `WWW-Authenticate` are not.
    public static func isCredentialHeaderName(_ name: String) -> Bool {
        let lowered = name.lowercased()
        // CORS headers name credentials without holding any (`Access-Control-Allow-Credentials: true`).
        if lowered.hasPrefix("access-control-") { return false }
        let words = lowered.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == "." }).map(String.init)
        if words.contains(where: credentialWords.contains) { return true }
        return zip(words, words.dropFirst()).contains { pair in
            (pair.0 == "api" || pair.0 == "access" || pair.0 == "private") && pair.1 == "key"
        }
    }

    /// Words of a header name that say it holds a credential; built once, as every header of
    /// every recorded exchange is asked about.
    private static let credentialWords: Set<String> = [
        "token", "secret", "password", "passwd", "credential", "credentials", "apikey", "auth", "signature",
    ]

    /// Whether `value`, held at `location` (a JSON leaf's path, or a query or form field's name
    /// read as one), is a national id: an id-shaped value under an identity-named key.
    public static func isNationalID(_ value: String, at location: [JSONPathComponent]) -> Bool {
        looksLikeNationalID(value) && location.nearestKey.map(isIdentityFieldName) == true
    }

    /// Whether a value held by an identifier-like field looks like a national id: nine digits
    /// (US SSN, `123-45-6789` too) or a Nordic personnummer (`YYMMDD-NNNN`, `YYYYMMDDNNNN`).
    public static func looksLikeNationalID(_ value: String) -> Bool {
        // Every shape below is 9 to 13 characters; most values are not, and cost one count.
        guard (9...24).contains(value.utf8.count) else { return false }
        var value = value
        return value.withUTF8 { whole in
            // Counted in place: SKUs and references of this length reach here by the dozen.
            var start = 0
            var end = whole.count
            while start < end, whole[start] == 0x20 || whole[start] == 0x09 { start += 1 }
            while end > start, whole[end - 1] == 0x20 || whole[end - 1] == 0x09 { end -= 1 }
            let text = UnsafeBufferPointer(rebasing: whole[start..<end])
            var digits = 0
            var separators = 0
            var separatorIndex = -1
            for (index, byte) in text.enumerated() {
                if isDigit(byte) {
                    digits += 1
                } else {
                    separators += 1
                    if separatorIndex < 0 { separatorIndex = index }
                }
            }
            guard digits > 0 else { return false }
            if separators == 0 { return digits == 9 || digits == 10 || digits == 12 }
            if text.count == 11, text[3] == UInt8(ascii: "-"), text[6] == UInt8(ascii: "-"), digits == 9 { return true }
            guard separators == 1 else { return false }
            let separator = text[separatorIndex]
            guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "+") else { return false }
            let tail = text.count - separatorIndex - 1
            return (separatorIndex == 6 || separatorIndex == 8) && tail == 4
        }
    }

    /// Whether a JSON key names an identifier that could be a national id (`national_identification_number`,
    /// `ssn`, `personal_id`, `customerId`), leaving out the API's own technical ids.
    public static func isIdentityFieldName(_ key: String) -> Bool {
        let lowered = key.lowercased()
        if technicalIDKeys.contains(lowered) { return false }
        for marker in ["ssn", "national", "identification", "personnummer", "personal_number", "social_security"]
        where lowered.contains(marker) {
            return true
        }
        let words = splitWords(key)
        return words.contains("id") || words.contains("nin")
    }

    static let technicalIDKeys: Set<String> = [
        "session_id", "correlation_id", "order_id", "request_id", "fraud_status_id", "authorization_id", "payment_method_category_id",
        "id",
    ]

    // MARK: Pseudonyms

    /// Blanks every pseudonym (`redacted:<hex>` and its hint) with spaces so no detector sees
    /// its hex digits; offsets stay where they were.
    static func maskingPseudonyms(_ bytes: [UInt8]) -> [UInt8] {
        guard var start = PseudonymToken.nextStart(in: bytes, from: 0) else { return bytes }
        var out = bytes
        while true {
            let end = PseudonymToken.end(in: bytes, at: start)
            for position in start..<end { out[position] = UInt8(ascii: " ") }
            guard let next = PseudonymToken.nextStart(in: bytes, from: end) else { return out }
            start = next
        }
    }

    // MARK: Email

    static func emailRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for (at, byte) in bytes.enumerated() where byte == UInt8(ascii: "@") {
            var start = at
            while start > 0, isEmailLocal(bytes[start - 1]) { start -= 1 }
            guard start < at else { continue }
            var end = at + 1
            while end < bytes.count, isDomainByte(bytes[end]) { end += 1 }
            var domain = Array(bytes[(at + 1)..<end])
            while domain.last == UInt8(ascii: ".") { domain.removeLast() }
            let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let top = labels.last,
                top.count >= 2, top.allSatisfy(isLetter)
            else { continue }
            ranges.append(start..<(at + 1 + domain.count))
        }
        return ranges
    }

    // MARK: Phone

    /// E.164-ish: `+` then 8–15 digits, single spaces, dashes, dots or parentheses allowed between them.
    static func phoneNumberRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for (plus, byte) in bytes.enumerated() where byte == UInt8(ascii: "+") {
            if plus > 0, isBase64Byte(bytes[plus - 1]) { continue }
            var index = plus + 1
            guard index < bytes.count, isDigit(bytes[index]) else { continue }
            var digits = 0
            var lastWasSeparator = false
            var end = index
            while index < bytes.count {
                let current = bytes[index]
                if isDigit(current) {
                    digits += 1
                    lastWasSeparator = false
                    end = index + 1
                } else if isPhoneSeparator(current), !lastWasSeparator {
                    lastWasSeparator = true
                } else {
                    break
                }
                index += 1
            }
            if end < bytes.count, isLetter(bytes[end]) || isDigit(bytes[end]) { continue }
            if (8...15).contains(digits) { ranges.append(plus..<end) }
        }
        return ranges
    }

    // MARK: Credentials in text

    /// `Basic <token>` / `Bearer <token>` inside text. A word after "Basic" is only a credential
    /// when it looks like one (has a digit or base64 padding), so prose like "Basic plan" is not.
    static func credentialRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for scheme in ["Basic ", "Bearer ", "basic ", "bearer "] {
            let pattern = Array(scheme.utf8)
            var index = 0
            while let found = ByteSearch.firstIndex(of: pattern, in: bytes, from: index) {
                index = found + 1
                if found > 0, isLetter(bytes[found - 1]) { continue }
                var end = found + pattern.count
                while end < bytes.count, isToken68Byte(bytes[end]) { end += 1 }
                while end < bytes.count, bytes[end] == UInt8(ascii: "=") { end += 1 }
                var token = Array(bytes[(found + pattern.count)..<end])
                while token.last == UInt8(ascii: ".") { token.removeLast() }
                let minimum = scheme.lowercased() == "basic " ? 8 : 16
                guard token.count >= minimum else { continue }
                if token.contains(where: isDigit) || token.last == UInt8(ascii: "=") {
                    ranges.append((found + pattern.count)..<(found + pattern.count + token.count))
                }
            }
        }
        return ranges
    }

    // MARK: JWT

    /// Three base64url segments separated by dots, the first starting `eyJ` (`{"` encoded).
    static func jwtRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let marker = Array("eyJ".utf8)
        var index = 0
        while let start = ByteSearch.firstIndex(of: marker, in: bytes, from: index) {
            index = start + 1
            if start > 0, isBase64URLByte(bytes[start - 1]) { continue }
            var position = start
            var segments = 0
            var segmentLengths: [Int] = []
            while segments < 3 {
                let segmentStart = position
                while position < bytes.count, isBase64URLByte(bytes[position]) { position += 1 }
                segmentLengths.append(position - segmentStart)
                segments += 1
                guard segments < 3 else { break }
                guard position < bytes.count, bytes[position] == UInt8(ascii: ".") else { break }
                position += 1
            }
            if segments == 3, segmentLengths[0] >= 3, segmentLengths[1] >= 1 {
                ranges.append(start..<position)
                index = position
            }
        }
        return ranges
    }

    // MARK: Card numbers

    /// 13–19 digits (single spaces or dashes allowed between groups), first digit 2–6 as for the
    /// card networks, passing Luhn. The first-digit rule keeps millisecond timestamps out.
    static func cardNumberRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]), index == 0 || !isAlphanumeric(bytes[index - 1]) else {
                index += 1
                continue
            }
            var digits: [UInt8] = []
            let start = index
            var position = index
            var end = index
            var lastWasSeparator = false
            while position < bytes.count {
                let current = bytes[position]
                if isDigit(current) {
                    digits.append(current - UInt8(ascii: "0"))
                    lastWasSeparator = false
                    end = position + 1
                } else if (current == UInt8(ascii: " ") || current == UInt8(ascii: "-")), !lastWasSeparator {
                    lastWasSeparator = true
                } else {
                    break
                }
                position += 1
            }
            index = max(end, index + 1)
            if end < bytes.count, isLetter(bytes[end]) { continue }
            guard (13...19).contains(digits.count), let first = digits.first, (2...6).contains(first) else { continue }
            if passesLuhn(digits) { ranges.append(start..<end) }
        }
        return ranges
    }

    static func passesLuhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if offset % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    // MARK: Byte classes

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) }
    static func isEmailLocal(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || "._%+-".utf8.contains(byte) }
    static func isDomainByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") }
    static func isPhoneSeparator(_ byte: UInt8) -> Bool { " -.()".utf8.contains(byte) }
    static func isBase64Byte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") }
    static func isBase64URLByte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") }
    static func isToken68Byte(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || "-._~+/".utf8.contains(byte) }

    /// `customerNationalId` → [customer, national, id]; `last_four_ssn` → [last, four, ssn].
    static func splitWords(_ key: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in key {
            if !(character.isLetter || character.isNumber) {
                if !current.isEmpty { words.append(current.lowercased()) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase, previousWasLower, !current.isEmpty {
                words.append(current.lowercased())
                current = ""
            }
            current.append(character)
            previousWasLower = character.isLowercase
        }
        if !current.isEmpty { words.append(current.lowercased()) }
        return words
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }))
    }
}
