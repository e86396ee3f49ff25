/// The value replay serves in place of a stored pseudonym: shaped like what was redacted, so
/// clients generated from Klarna's OpenAPI document parse it, and derived only from the
/// pseudonym, so equal recorded values give equal stand-ins and every replay is identical.
///
/// What decides the shape, strongest first: the schema at that location (an enum value, an
/// integer within its bounds); the hint stored with the pseudonym (`~email`, `~=AAnA_nAA`); the
/// format the redaction profile gives the location (older cassettes have no hints); a pattern
/// the schema gives. Anything else is served as the bare pseudonym `redacted:<hex>`, which says
/// plainly that it is not real data. The result is then fitted to the schema's lengths.
public enum RedactedStandIn {
    /// Klarna markets (reference §8.6): ISO 3166-1 alpha-2 codes any client accepts.
    static let countries = [
        "AT", "AU", "BE", "CA", "CH", "CZ", "DE", "DK", "ES", "FI", "FR", "GB", "GR", "IE", "IT", "NL", "NO", "NZ", "PL", "PT",
        "SE", "US",
    ]

    /// The stand-in for a whole value that is a pseudonym.
    public static func value(for token: PseudonymToken, schema: SchemaNode?, format: FieldFormat?) -> JSONValue {
        var entropy = StandInEntropy(seed: "sessproxy-stand-in:" + token.digest)
        if let allowed = schema?.enumValues, !allowed.isEmpty {
            return .string(allowed[entropy.next(below: allowed.count)])
        }
        switch schema?.kind {
        case .integer, .number:
            let low = schema?.minimum ?? 0
            let high = max(low, schema?.maximum ?? low + 1_000_000)
            let span = Int(clamping: min(high - low, Int64(Int.max - 1)))
            return .number(String(low + Int64(entropy.next(below: span + 1))))
        case .boolean:
            return .bool(entropy.next(below: 2) == 1)
        default:
            break
        }
        var text: String
        switch token.hint {
        case .shape(let shape):
            text = render(shape: shape, entropy: &entropy)
        case .format(let hinted):
            text = render(hinted, token: token, entropy: &entropy)
        case nil:
            if let format {
                text = render(format, token: token, entropy: &entropy)
            } else if let pattern = schema?.pattern, let sample = pattern.sample(using: &entropy) {
                text = sample
            } else {
                text = bare(token)
            }
        }
        return .string(fitted(text, to: schema, token: token, entropy: &entropy))
    }

    /// The stand-in for a pseudonym inside free text (`call me at redacted:…~email`): the hinted
    /// format, else the bare pseudonym.
    public static func inlineText(for token: PseudonymToken) -> String {
        guard case .format(let format) = token.hint else { return bare(token) }
        var entropy = StandInEntropy(seed: "sessproxy-stand-in:" + token.digest)
        return render(format, token: token, entropy: &entropy)
    }

    static func bare(_ token: PseudonymToken) -> String {
        token.digest.isEmpty ? Pseudonymizer.placeholder : Pseudonymizer.prefix + token.digest
    }

    static func render(_ format: FieldFormat, token: PseudonymToken, entropy: inout StandInEntropy) -> String {
        switch format {
        case .email:
            return "redacted.\(token.digest.isEmpty ? "0" : token.digest)@example.invalid"
        case .phone:
            return "+999" + digits(11, &entropy)
        case .date:
            return dateText(daysSince1940: entropy.next(below: 65 * 365))
        case .timestamp:
            let seconds = entropy.next(below: 20 * 365 * 86_400)
            let day = seconds / 86_400 + 60 * 365 + 15  // from about 2000 on
            let time = seconds % 86_400
            return dateText(daysSince1940: day) + "T" + two(time / 3600) + ":" + two(time / 60 % 60) + ":" + two(time % 60) + "Z"
        case .digits:
            return digits(4, &entropy)
        case .keepLength:
            return render(shape: "AAAAAAAA", entropy: &entropy)
        case .country:
            return countries[entropy.next(below: countries.count)]
        }
    }

    static func render(shape: String, entropy: inout StandInEntropy) -> String {
        var out = ""
        for symbol in shape {
            switch symbol {
            case "A": out.append(letter(&entropy).uppercased())
            case "a": out.append(letter(&entropy))
            case "n": out.append(contentsOf: digits(1, &entropy))
            case "_": out.append(" ")
            case "x": out.append("x")
            default: out.append(symbol)
            }
        }
        return out
    }

    /// Within the schema's `maxLength` / `minLength`, and matching its pattern where the text
    /// does not already.
    static func fitted(_ text: String, to schema: SchemaNode?, token: PseudonymToken, entropy: inout StandInEntropy) -> String {
        guard let schema else { return text }
        var text = text
        if let pattern = schema.pattern, pattern.isUnderstood, !pattern.matches(text), let sample = pattern.sample(using: &entropy) {
            text = sample
        }
        if let maximum = schema.maxLength, text.count > maximum {
            // Keep the start of the pseudonym's digits: short, still unique enough, still plain.
            text = String(("r" + token.digest).prefix(maximum))
        }
        if let minimum = schema.minLength, text.count < minimum {
            text += String(repeating: "0", count: minimum - text.count)
        }
        return text
    }

    private static func letter(_ entropy: inout StandInEntropy) -> String {
        String(UnicodeScalar(UInt8(ascii: "a") + UInt8(entropy.next(below: 26))))
    }

    private static func digits(_ count: Int, _ entropy: inout StandInEntropy) -> String {
        String((0..<count).map { _ in Character(UnicodeScalar(UInt8(ascii: "0") + UInt8(entropy.next(below: 10)))) })
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Civil date from a day count since 1940-01-01 (proleptic Gregorian).
    static func dateText(daysSince1940 days: Int) -> String {
        var year = 1940
        var remaining = days
        func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
        while remaining >= (isLeap(year) ? 366 : 365) {
            remaining -= isLeap(year) ? 366 : 365
            year += 1
        }
        let lengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var month = 0
        while remaining >= lengths[month] {
            remaining -= lengths[month]
            month += 1
        }
        return "\(year)-\(two(month + 1))-\(two(remaining + 1))"
    }
}
