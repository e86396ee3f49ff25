/// Pattern detectors for personal data and secrets in free text (a header value, a path, a
/// JSON string leaf, a body that is not JSON). Hand-written byte scanners rather than regular
/// expressions, because an audit runs them over every leaf of every exchange of a big cassette.
/// Pseudonyms (`redacted:<hex>`) are blanked out before any detector runs, so they never count.
public enum LeakTextDetector {
    /// The kinds of leak present in `text`, in `LeakKind` order, each at most once.
    public static func kinds(in text: String) -> [LeakKind] {
        let bytes = maskingPseudonyms(Array(text.utf8))
        var found: [LeakKind] = []
        if containsEmail(bytes) { found.append(.email) }
        if containsPhoneNumber(bytes) { found.append(.phoneNumber) }
        if containsCredential(bytes) { found.append(.credential) }
        if containsJWT(bytes) { found.append(.jwt) }
        if containsCardNumber(bytes) { found.append(.cardNumber) }
        return found
    }

    /// Whether a header value is an auth credential (`Basic …`, `Bearer …`) that is not a pseudonym.
    public static func isUnredactedCredential(headerValue: String) -> Bool {
        let trimmed = headerValue.trimmingLeadingSpaces
        for scheme in ["basic", "bearer"] {
            guard trimmed.count > scheme.count, trimmed.lowercased().hasPrefix(scheme + " ") else { continue }
            let rest = String(trimmed.dropFirst(scheme.count + 1)).trimmingLeadingSpaces
            return !rest.isEmpty && !Pseudonymizer.isRedacted(rest)
        }
        return false
    }

    /// Whether a value held by an identifier-like field looks like a national id: nine digits
    /// (US SSN, `123-45-6789` too) or a Nordic personnummer (`YYMMDD-NNNN`, `YYYYMMDDNNNN`).
    public static func looksLikeNationalID(_ value: String) -> Bool {
        let text = Array(value.utf8).trimmingSpaces
        let digits = text.filter(isDigit)
        let separators = text.filter { !isDigit($0) }
        if separators.isEmpty { return digits.count == 9 || digits.count == 10 || digits.count == 12 }
        if text.count == 11, text[3] == UInt8(ascii: "-"), text[6] == UInt8(ascii: "-"), digits.count == 9 { return true }
        guard separators.count == 1, let separatorIndex = text.firstIndex(where: { !isDigit($0) }) else { return false }
        let separator = text[separatorIndex]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "+") else { return false }
        let head = separatorIndex
        let tail = text.count - separatorIndex - 1
        return (head == 6 || head == 8) && tail == 4
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

    private static let pseudonymPrefix = Array(Pseudonymizer.prefix.utf8)

    /// Blanks every `redacted:<hex>` run with spaces so no detector sees its hex digits.
    static func maskingPseudonyms(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= pseudonymPrefix.count else { return bytes }
        var out = bytes
        var index = 0
        while index + pseudonymPrefix.count <= out.count {
            if out[index] == pseudonymPrefix[0], Array(out[index..<index + pseudonymPrefix.count]) == pseudonymPrefix {
                var end = index + pseudonymPrefix.count
                while end < out.count, isHexDigit(out[end]) { end += 1 }
                for position in index..<end { out[position] = UInt8(ascii: " ") }
                index = end
            } else {
                index += 1
            }
        }
        return out
    }

    // MARK: Email

    static func containsEmail(_ bytes: [UInt8]) -> Bool {
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
            return true
        }
        return false
    }

    // MARK: Phone

    /// E.164-ish: `+` then 8–15 digits, single spaces, dashes, dots or parentheses allowed between them.
    static func containsPhoneNumber(_ bytes: [UInt8]) -> Bool {
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
            if (8...15).contains(digits) { return true }
        }
        return false
    }

    // MARK: Credentials in text

    /// `Basic <token>` / `Bearer <token>` inside text. A word after "Basic" is only a credential
    /// when it looks like one (has a digit or base64 padding), so prose like "Basic plan" is not.
    static func containsCredential(_ bytes: [UInt8]) -> Bool {
        for scheme in ["Basic ", "Bearer ", "basic ", "bearer "] {
            let pattern = Array(scheme.utf8)
            var index = 0
            while let found = firstIndex(of: pattern, in: bytes, from: index) {
                index = found + 1
                if found > 0, isLetter(bytes[found - 1]) { continue }
                var end = found + pattern.count
                while end < bytes.count, isToken68Byte(bytes[end]) { end += 1 }
                while end < bytes.count, bytes[end] == UInt8(ascii: "=") { end += 1 }
                var token = Array(bytes[(found + pattern.count)..<end])
                while token.last == UInt8(ascii: ".") { token.removeLast() }
                let minimum = scheme.lowercased() == "basic " ? 8 : 16
                guard token.count >= minimum else { continue }
                if token.contains(where: isDigit) || token.last == UInt8(ascii: "=") { return true }
            }
        }
        return false
    }

    // MARK: JWT

    /// Three base64url segments separated by dots, the first starting `eyJ` (`{"` encoded).
    static func containsJWT(_ bytes: [UInt8]) -> Bool {
        let marker = Array("eyJ".utf8)
        var index = 0
        while let start = firstIndex(of: marker, in: bytes, from: index) {
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
            if segments == 3, segmentLengths[0] >= 3, segmentLengths[1] >= 1 { return true }
        }
        return false
    }

    // MARK: Card numbers

    /// 13–19 digits (single spaces or dashes allowed between groups), first digit 2–6 as for the
    /// card networks, passing Luhn. The first-digit rule keeps millisecond timestamps out.
    static func containsCardNumber(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]), index == 0 || !isAlphanumeric(bytes[index - 1]) else {
                index += 1
                continue
            }
            var digits: [UInt8] = []
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
            if passesLuhn(digits) { return true }
        }
        return false
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

    static func firstIndex(of pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0], bytes[index..<index + pattern.count].elementsEqual(pattern) { return index }
            index += 1
        }
        return nil
    }

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

extension Array where Element == UInt8 {
    fileprivate var trimmingSpaces: [UInt8] {
        var slice = self[...]
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return Array(slice)
    }
}
