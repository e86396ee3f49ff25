import Foundation
import SessproxyCore

/// The playground's session endpoints as a state machine with no sockets: Basic auth (401 as
/// an HTML page, like the real gateway), create/read/update with Klarna's validation — every
/// constraint of the request schema in Klarna's OpenAPI document (types, enums, patterns,
/// lengths, required fields) plus the amount rules — answered `400 BAD_VALUE` naming the fields,
/// 404 `NOT_FOUND` for unknown sessions, and a correlation id in both the header and the error
/// body. So every answer it gives is one Klarna could give, and valid against the document.
public struct FakeKlarnaBehaviour: Sendable {
    public struct Configuration: Sendable {
        /// When set, only these credentials are accepted; otherwise any well-formed Basic
        /// credentials (non-empty user and password) are.
        public var credentials: (username: String, password: String)?
        /// Deterministic ids for tests; random UUIDs when nil.
        public var idSeed: UInt64?

        public init(credentials: (username: String, password: String)? = nil, idSeed: UInt64? = nil) {
            self.credentials = credentials
            self.idSeed = idSeed
        }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [HeaderField]
        public var body: [UInt8]
    }

    struct Session: Sendable {
        var document: JSONValue
        var clientToken: String
        var expiresAt: Date
    }

    let configuration: Configuration
    private var sessions: [String: Session] = [:]
    private var counter: UInt64 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public mutating func handle(method: String, target: String, headers: [HeaderField], body: [UInt8], now: Date = Date()) -> Reply {
        guard authorized(headers) else { return Self.unauthorized() }
        let path = KlarnaRouteClassifier.pathOnly(target)
        let route = KlarnaRouteClassifier.classify(method: method, target: target)
        switch route.operation {
        case .create:
            return create(body: body, now: now)
        case .read:
            guard let id = route.sessionID, let session = sessions[id] else { return notFound() }
            return Self.json(200, readDocument(session))
        case .update:
            guard let id = route.sessionID, let session = sessions[id] else { return notFound() }
            return update(id: id, session: session, body: body, now: now)
        case .other:
            if path.hasPrefix("/payments/v1/sessions") { return error(405, "BAD_REQUEST", ["Method not allowed"]) }
            return error(404, "NOT_FOUND", ["No such endpoint: \(method) \(path)"])
        }
    }

    private func authorized(_ headers: [HeaderField]) -> Bool {
        guard let value = headers.value(of: "Authorization"), value.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(value.dropFirst(6))).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        else { return false }
        let user = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        if let expected = configuration.credentials { return user == expected.username && password == expected.password }
        return !user.isEmpty && !password.isEmpty
    }

    private mutating func create(body: [UInt8], now: Date) -> Reply {
        guard let parsed = try? JSONParser.parse(body), case .object = parsed else {
            return error(400, "BAD_REQUEST", ["Request body is not a JSON object"])
        }
        if let problem = validate(parsed, against: Self.createSchema) ?? validate(parsed) { return problem }
        let document = Self.removingReadOnly(parsed, schema: Self.createSchema)
        let id = nextID()
        let token = Self.clientToken(sessionID: id, country: document["purchase_country"]?.stringValue ?? "GB")
        sessions[id] = Session(document: document, clientToken: token, expiresAt: now.addingTimeInterval(48 * 3600))
        return Self.json(200, .object([
            JSONMember(key: "session_id", value: .string(id)),
            JSONMember(key: "client_token", value: .string(token)),
            JSONMember(key: "payment_method_categories", value: Self.paymentMethodCategories),
        ]))
    }

    private mutating func update(id: String, session: Session, body: [UInt8], now: Date) -> Reply {
        guard let patch = try? JSONParser.parse(body), case .object(let members) = patch else {
            return error(400, "BAD_REQUEST", ["Request body is not a JSON object"])
        }
        if let problem = validate(patch, against: Self.updateSchema) { return problem }
        var merged = session.document
        for member in Self.removingReadOnly(patch, schema: Self.updateSchema).objectMembers ?? members {
            merged = merged.setting(member.key, to: member.value)
        }
        if let problem = validate(merged) { return problem }
        sessions[id] = Session(document: merged, clientToken: session.clientToken, expiresAt: now.addingTimeInterval(48 * 3600))
        return Reply(status: 204, headers: [HeaderField(name: "Klarna-Correlation-Id", value: nextCorrelationID())], body: [])
    }

    static let createSchema = OpenAPIDocument.klarna.requestSchema(for: .create)
    static let updateSchema = OpenAPIDocument.klarna.requestSchema(for: .update)
    static let readSchema = OpenAPIDocument.klarna.responseSchema(for: .read, status: 200)

    /// `400 BAD_VALUE` listing every field that breaks the schema, as Klarna words it
    /// (`Bad value: purchase_currency, purchase_country`); nil when the body fits.
    private mutating func validate(_ body: JSONValue, against schema: SchemaNode?) -> Reply? {
        guard let schema else { return nil }
        var fields: [String] = []
        for violation in SchemaValidator.violations(of: body, against: schema) where !fields.contains(violation.path) {
            fields.append(violation.path)
        }
        guard !fields.isEmpty else { return nil }
        return error(400, "BAD_VALUE", ["Bad value: " + fields.joined(separator: ", ")])
    }

    /// Klarna's amount rules on the whole order (after an update is merged into it).
    private mutating func validate(_ document: JSONValue) -> Reply? {
        let messages = KlarnaAmountRules.check(document).map(\.klarnaMessage)
        guard !messages.isEmpty else { return nil }
        return error(400, "BAD_VALUE", [messages.joined(separator: ", ")])
    }

    /// Read-only properties are Klarna's to set; what a client sends for them is ignored.
    static func removingReadOnly(_ document: JSONValue, schema: SchemaNode?) -> JSONValue {
        guard let schema, case .object(let members) = document else { return document }
        return .object(members.filter { schema.properties[$0.key]?.readOnly != true })
    }

    /// A read answer holds only what `session_read` describes at the top and in `customer`
    /// (no national id or SSN digits come back), plus what Klarna sets itself.
    private func readDocument(_ session: Session) -> JSONValue {
        var document = session.document.removing("session_id")
        if let customer = document["customer"], case .object(let members) = customer,
            let known = Self.readSchema?.properties["customer"]?.properties
        {
            document = document.setting("customer", to: .object(members.filter { known[$0.key] != nil }))
        }
        document = document.setting("status", to: "incomplete")
        document = document.setting("expires_at", to: .string(Timestamp.format(session.expiresAt)))
        document = document.setting("client_token", to: .string(session.clientToken))
        document = document.setting("payment_method_categories", to: Self.paymentMethodCategories)
        return document
    }

    private mutating func notFound() -> Reply {
        error(404, "NOT_FOUND", ["Invalid session id"])
    }

    private mutating func error(_ status: Int, _ code: String, _ messages: [String]) -> Reply {
        let body = KlarnaErrorBody(errorCode: code, errorMessages: messages, correlationID: nextCorrelationID())
        return Reply(status: status, headers: body.answerHeaders(), body: body.bytes)
    }

    private static func json(_ status: Int, _ value: JSONValue) -> Reply {
        Reply(
            status: status,
            headers: [
                HeaderField(name: "Content-Type", value: "application/json;charset=utf-8"),
                HeaderField(name: "Klarna-Correlation-Id", value: UUID().uuidString.lowercased()),
                HeaderField(name: "Cache-Control", value: "no-cache, no-store, max-age=0, must-revalidate"),
            ],
            body: JSONSerializer.bytes(value, style: .compact))
    }

    static func unauthorized() -> Reply {
        let html = "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
        return Reply(
            status: 401,
            headers: [
                HeaderField(name: "Content-Type", value: "text/html"),
                HeaderField(name: "WWW-Authenticate", value: "Basic realm=\"very closed site\""),
            ],
            body: Array(html.utf8))
    }

    private mutating func nextID() -> String {
        guard let seed = configuration.idSeed else { return UUID().uuidString.lowercased() }
        counter += 1
        let value = seed &* 6364136223846793005 &+ counter
        let hex = String(format: "%016llx", value)
        let tail = String(format: "%012llx", counter)
        return "\(hex.prefix(8))-\(hex.dropFirst(8).prefix(4))-4\(hex.dropFirst(13).prefix(3))-8\(tail.prefix(3))-\(tail)"
    }

    private mutating func nextCorrelationID() -> String {
        configuration.idSeed == nil ? UUID().uuidString.lowercased() : nextID()
    }

    static func clientToken(sessionID: String, country: String) -> String {
        let header = ReplayClientToken.base64URL(Array(#"{"alg":"RS256","kid":"fake-klarna"}"#.utf8))
        let payload = ReplayClientToken.base64URL(Array(
            #"{"session_id":"\#(sessionID)","base_url":"https://js.playground.klarna.com/eu/kp","purchase_country":"\#(country)","environment":"playground","merchant_name":"Fake Klarna Store","session_type":"PAYMENTS","region":"eu"}"#.utf8))
        return "\(header).\(payload).FAKE_SIGNATURE"
    }

    static let paymentMethodCategories: JSONValue = [
        [
            "identifier": "klarna",
            "name": "Pay with Klarna",
            "asset_urls": [
                "descriptive": "https://x.klarnacdn.net/payment-method/assets/badges/generic/klarna.svg",
                "standard": "https://x.klarnacdn.net/payment-method/assets/badges/generic/klarna.svg",
            ],
        ]
    ]
}
