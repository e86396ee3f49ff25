/// Makes a recorded answer body ready to serve: every pseudonym becomes a stand-in that fits
/// the answer's schema in Klarna's OpenAPI document and the field's format, so a client
/// generated from that document parses what replay serves.
///
/// The cassette keeps `redacted:<hex>` pseudonyms (with a format hint since format 4 of the
/// pseudonyms; older cassettes have none): on disk a redacted value is unmistakable, `audit`
/// can tell it from a leak, `show`, `export` and HAR say plainly what was redacted, and a
/// cassette recorded before this existed replays schema-valid without re-recording. The shape
/// is made here, at replay, from the pseudonym alone — as `client_token` stand-ins always were.
public struct ReplayBodyRenderer: Sendable {
    public let rules: RedactionRules
    public let schemas: SchemaSource
    /// The formats the rules give locations, for pseudonyms stored without a hint.
    private let formats: JSONPathIndex<FieldFormat>

    public init(rules: RedactionRules = .klarna, schemas: SchemaSource = .klarna) {
        self.rules = rules
        self.schemas = schemas
        self.formats = JSONPathIndex(formatsOf: rules)
    }

    /// The body to serve, or nil when the recorded bytes can be served as they are (no
    /// pseudonym in them, or not JSON).
    public func render(_ body: [UInt8], operation: KlarnaOperation, status: Int, sessionID: String?) -> [UInt8]? {
        guard !body.isEmpty, Self.containsPseudonym(body), let json = try? JSONParser.parse(body) else { return nil }
        // Sessions answers only: the replay index keeps no targets to match other paths on, and
        // their answers keep their pseudonyms' formats.
        let schema = schemas.document?.responseSchema(for: operation, status: status)
        var location: [JSONPathComponent] = []
        let rendered = render(json, schema: schema, location: &location, embedded: false, sessionID: sessionID)
        return JSONSerializer.bytes(rendered, style: .compact)
    }

    private func render(
        _ value: JSONValue, schema: SchemaNode?, location: inout [JSONPathComponent], embedded: Bool, sessionID: String?
    ) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.map { member in
                location.append(.key(member.key))
                defer { location.removeLast() }
                if !embedded, case .string(let text) = member.value, Pseudonymizer.isRedacted(text) {
                    switch member.key {
                    case "client_token": return JSONMember(key: member.key, value: .string(ReplayClientToken.clientToken(sessionID: sessionID)))
                    case "authorization_token":
                        return JSONMember(key: member.key, value: .string(ReplayClientToken.authorizationToken(replacing: text)))
                    default: break
                    }
                }
                let child = render(member.value, schema: schema?.properties[member.key], location: &location, embedded: embedded, sessionID: sessionID)
                return JSONMember(key: member.key, value: child)
            })
        case .array(let items):
            return .array(items.enumerated().map { offset, item in
                location.append(.index(offset))
                defer { location.removeLast() }
                return render(item, schema: schema?.items, location: &location, embedded: embedded, sessionID: sessionID)
            })
        case .string(let text):
            guard Self.mentionsPlaceholder(text) else { return value }
            if let token = PseudonymToken(text) {
                let format = embedded ? FieldFormat.suggested(byKey: location.nearestKey) : formats.firstMatch(at: location)
                return RedactedStandIn.value(for: token, schema: schema, format: format)
            }
            if JSONParser.startsLikeDocument(text.utf8), let inner = try? JSONParser.parse(text) {
                var innerLocation: [JSONPathComponent] = []
                let rendered = render(inner, schema: nil, location: &innerLocation, embedded: true, sessionID: sessionID)
                return .string(JSONSerializer.string(rendered, style: .compact))
            }
            return .string(Self.renderingInlineTokens(in: text))
        default:
            return value
        }
    }

    /// Free text with pseudonyms inside (`call me at redacted:…~email`): each by its hint.
    static func renderingInlineTokens(in text: String) -> String {
        let bytes = Array(text.utf8)
        guard var start = PseudonymToken.nextStart(in: bytes, from: 0) else { return text }
        var out: [UInt8] = []
        var index = 0
        while true {
            out += bytes[index..<start]
            let end = PseudonymToken.end(in: bytes, at: start)
            let token = PseudonymToken(String(decoding: bytes[start..<end], as: UTF8.self))
            out += Array((token.map(RedactedStandIn.inlineText(for:)) ?? String(decoding: bytes[start..<end], as: UTF8.self)).utf8)
            index = end
            guard let next = PseudonymToken.nextStart(in: bytes, from: end) else { break }
            start = next
        }
        out += bytes[index...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether a string contains `redacted` at all (a pseudonym, the placeholder, a withheld
    /// marker): a byte scan, so the other strings of an answer cost next to nothing.
    static func mentionsPlaceholder(_ text: String) -> Bool {
        ByteSearch.contains(placeholderBytes, in: text)
    }

    private static let placeholderBytes = Array(Pseudonymizer.placeholder.utf8)

    /// Cheap pre-check so bodies without pseudonyms are never parsed.
    static func containsPseudonym(_ body: [UInt8]) -> Bool {
        PseudonymToken.nextStart(in: body, from: 0) != nil
    }
}
