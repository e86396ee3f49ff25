/// What to redact. The built-in Klarna profile covers credentials, tokens and every personal
/// data field of the sessions API (reference §10); a config file can add headers and paths
/// and exempt paths.
public struct RedactionRules: Sendable, Hashable {
    /// Header names, lowercased.
    public var headers: Set<String>
    /// Body locations whose values (or every leaf below them) are replaced by pseudonyms.
    public var bodyPaths: [JSONPathPattern]
    /// Body locations holding a JSON document inside a string (`attachment.body`): the inner
    /// document is parsed and every string leaf in it redacted.
    public var embeddedJSONPaths: [JSONPathPattern]
    /// Locations never redacted, even if another rule matches.
    public var keepPaths: [JSONPathPattern]
    /// Path prefixes whose next segment is a secret (`/payments/v1/authorizations/{token}`).
    public var secretPathPrefixes: [String]
    /// The format of redacted values at these locations (the first that matches wins), for what the
    /// OpenAPI document says only in prose: which strings are emails, dates, phone numbers.
    public var formats: [FormattedPath]

    public init(
        headers: Set<String>,
        bodyPaths: [JSONPathPattern],
        embeddedJSONPaths: [JSONPathPattern],
        keepPaths: [JSONPathPattern] = [],
        secretPathPrefixes: [String] = [],
        formats: [FormattedPath] = []
    ) {
        self.headers = Set(headers.map { $0.lowercased() })
        self.bodyPaths = bodyPaths
        self.embeddedJSONPaths = embeddedJSONPaths
        self.keepPaths = keepPaths
        self.secretPathPrefixes = secretPathPrefixes
        self.formats = formats
    }

    /// The default profile for the Klarna Payments API.
    public static let klarna: RedactionRules = {
        let addressFields = [
            "given_name", "family_name", "email", "phone", "street_address", "street_address2", "street_name",
            "street_number", "house_extension", "postal_code", "city", "region", "country", "title", "attention",
            "organization_name",
        ]
        let customerFields = [
            "date_of_birth", "national_identification_number", "last_four_ssn", "gender", "title", "vat_id",
            "organization_registration_id", "organization_entity_type",
        ]
        var paths: [String] = ["**.client_token", "**.authorization_token", "**.merchant_data"]
        for address in ["billing_address", "shipping_address"] {
            paths += addressFields.map { "**.\(address).\($0)" }
        }
        paths += customerFields.map { "**.customer.\($0)" }
        // Reference §5.7–5.8: the formats the document describes only in words. Enums and
        // patterns (`organization_entity_type`, `last_four_ssn`) come from the document itself.
        var formats: [(String, FieldFormat)] = [
            ("**.customer.date_of_birth", .date), ("**.customer.title", .keepLength), ("**.customer.last_four_ssn", .digits),
        ]
        for address in ["billing_address", "shipping_address"] {
            formats += [
                ("**.\(address).email", .email), ("**.\(address).phone", .phone), ("**.\(address).postal_code", .keepLength),
                ("**.\(address).country", .country), ("**.\(address).title", .keepLength),
            ]
        }
        return RedactionRules(
            headers: ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"],
            bodyPaths: paths.map { try! JSONPathPattern($0) },
            embeddedJSONPaths: [try! JSONPathPattern("**.attachment.body")],
            keepPaths: [],
            secretPathPrefixes: ["/payments/v1/authorizations/"],
            formats: formats.map { FormattedPath(pattern: try! JSONPathPattern($0.0), format: $0.1) }
        )
    }()

    /// These rules extended by a user's additions.
    public func extended(with additions: RedactionAdditions) -> RedactionRules {
        var copy = self
        copy.headers.formUnion(additions.headers.map { $0.lowercased() })
        copy.bodyPaths += additions.paths
        copy.embeddedJSONPaths += additions.embeddedJSONPaths
        copy.keepPaths += additions.keepPaths
        // A format is also a redaction: a path given a format is redacted. User formats come
        // first so they can override the profile's.
        copy.bodyPaths += additions.formats.map(\.pattern).filter { !copy.bodyPaths.contains($0) }
        copy.formats = additions.formats + copy.formats
        return copy
    }
}
