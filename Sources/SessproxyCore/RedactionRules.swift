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

    public init(
        headers: Set<String>,
        bodyPaths: [JSONPathPattern],
        embeddedJSONPaths: [JSONPathPattern],
        keepPaths: [JSONPathPattern] = [],
        secretPathPrefixes: [String] = []
    ) {
        self.headers = Set(headers.map { $0.lowercased() })
        self.bodyPaths = bodyPaths
        self.embeddedJSONPaths = embeddedJSONPaths
        self.keepPaths = keepPaths
        self.secretPathPrefixes = secretPathPrefixes
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
        return RedactionRules(
            headers: ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"],
            bodyPaths: paths.map { try! JSONPathPattern($0) },
            embeddedJSONPaths: [try! JSONPathPattern("**.attachment.body")],
            keepPaths: [],
            secretPathPrefixes: ["/payments/v1/authorizations/"]
        )
    }()

    /// These rules extended by a user's additions.
    public func extended(with additions: RedactionAdditions) -> RedactionRules {
        var copy = self
        copy.headers.formUnion(additions.headers.map { $0.lowercased() })
        copy.bodyPaths += additions.paths
        copy.embeddedJSONPaths += additions.embeddedJSONPaths
        copy.keepPaths += additions.keepPaths
        return copy
    }
}

/// User additions to the built-in profile, as read from a `--redaction-config` file.
public struct RedactionAdditions: Sendable, Hashable {
    public var headers: [String]
    public var paths: [JSONPathPattern]
    public var embeddedJSONPaths: [JSONPathPattern]
    public var keepPaths: [JSONPathPattern]

    public init(
        headers: [String] = [],
        paths: [JSONPathPattern] = [],
        embeddedJSONPaths: [JSONPathPattern] = [],
        keepPaths: [JSONPathPattern] = []
    ) {
        self.headers = headers
        self.paths = paths
        self.embeddedJSONPaths = embeddedJSONPaths
        self.keepPaths = keepPaths
    }
}
