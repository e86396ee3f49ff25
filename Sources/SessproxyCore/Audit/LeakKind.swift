/// What kind of personal data or secret an audit found. The raw values are the stable names
/// used in `audit --format json`.
public enum LeakKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case email
    case phoneNumber = "phone_number"
    /// A `Basic`/`Bearer` credential that is not a pseudonym.
    case credential
    case jwt
    /// An SSN- or personnummer-shaped value in a field named like an identifier.
    case nationalID = "national_id"
    /// 13–19 digits with a card-network first digit that pass the Luhn check.
    case cardNumber = "card_number"
    /// A field the redaction rules cover whose value is not a pseudonym.
    case unredactedField = "unredacted_field"

    public static func < (lhs: LeakKind, rhs: LeakKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
