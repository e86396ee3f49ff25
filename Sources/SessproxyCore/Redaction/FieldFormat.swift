/// The documented shape of a redacted field, kept through redaction so that replay can serve a
/// stand-in of the same shape: an email stays an email, a date stays `yyyy-mm-dd`. The raw
/// values are the names used in `--redaction-config` (`formats:`) and in pseudonym hints.
public enum FieldFormat: String, Sendable, Hashable, CaseIterable {
    /// `redacted.<hex>@example.invalid` (RFC 2606 reserved domain: never deliverable).
    case email
    /// `+999` and eleven digits: an unassigned country calling code, so it never rings anyone.
    case phone
    /// `yyyy-mm-dd`.
    case date
    /// ISO 8601 / RFC 3339 UTC, `yyyy-mm-ddThh:mm:ssZ`.
    case timestamp
    /// As many digits as the original had.
    case digits
    /// The original's length and character classes (upper, lower, digit, space, `-./'`).
    case keepLength = "keep-length"
    /// An ISO 3166-1 alpha-2 code of a Klarna market.
    case country

    /// The format a value evidently has, for redacted values whose location names none (JSON
    /// inside `attachment.body`, text the detector found): dates, timestamps, emails, phones.
    public static func evident(in value: String) -> FieldFormat? {
        let bytes = Array(value.utf8)
        if DateTimeText.isDate(bytes) { return .date }
        if DateTimeText.isTimestamp(bytes) { return .timestamp }
        if LeakTextDetector.isWholeEmail(bytes) { return .email }
        if LeakTextDetector.isWholePhoneNumber(bytes) { return .phone }
        return nil
    }
}

extension FieldFormat {
    /// The format Klarna's extra merchant data (JSON inside `attachment.body`) gives a key in
    /// its documentation: `*_date`, `*_modified` timestamps, `date_of_birth`, emails and phone
    /// numbers. Used for cassettes recorded before pseudonyms carried their format.
    public static func suggested(byKey key: String?) -> FieldFormat? {
        guard let key = key?.lowercased() else { return nil }
        if key.contains("email") { return .email }
        if key.contains("phone") { return .phone }
        if key.contains("birth") { return .date }
        for suffix in ["_date", "_modified", "_at", "_time", "timestamp"] where key.hasSuffix(suffix) { return .timestamp }
        return nil
    }
}
