/// Looks through a stored exchange for personal data and secrets that escaped redaction: every
/// header value, the request path, and every body (JSON leaf by leaf, including JSON held in a
/// string such as `attachment.body`; other bodies as text). Two kinds of evidence:
/// text patterns (`LeakTextDetector`) and the redaction rules themselves — a field the rules
/// cover whose value is not a pseudonym was never redacted (an older profile, a hand edit, an
/// import from elsewhere). Findings name the exchange, the location and the kind, never the value.
///
/// Numbers where Klarna's OpenAPI document types the location as a number (`quantity`,
/// `subscription.interval_count`) are counts and amounts, never card numbers, and are not scanned.
public struct LeakScanner: Sendable {
    public let rules: RedactionRules
    /// Placeholder mode, rules only: used to learn which locations the rules would still change.
    private let ruleCheck: Redactor
    private let schemas: SchemaSource

    public init(rules: RedactionRules, schemas: SchemaSource = .klarna) {
        self.rules = rules
        self.schemas = schemas
        self.ruleCheck = Redactor(rules: rules, pseudonymizer: .placeholderOnly, schemas: schemas, detectsUnlistedData: false)
    }

    /// Findings for one exchange, each (location, kind) at most once.
    public static func scan(_ exchange: RecordedExchange, rules: RedactionRules) -> [LeakFinding] {
        LeakScanner(rules: rules).scan(exchange)
    }

    public func scan(_ exchange: RecordedExchange) -> [LeakFinding] {
        var collector = Collector(exchangeID: exchange.id)
        scanText(exchange.target, at: "request.path", into: &collector)
        let decodedTarget = PercentEncoding.decode(exchange.target, plusIsSpace: false)
        if decodedTarget != exchange.target { scanText(decodedTarget, at: "request.path", into: &collector) }
        scanQuery(of: exchange.target, into: &collector)
        if let sessionID = exchange.sessionID { scanText(sessionID, at: "session_id", into: &collector) }
        scanHeaders(exchange.requestHeaders, side: "request", into: &collector)
        let document = schemas.document
        let requestSchema = document?.requestSchema(method: exchange.method, path: exchange.path)
        scanBody(exchange.requestBody, side: "request", schema: requestSchema, into: &collector)
        scanHeaders(exchange.responseHeaders, side: "response", into: &collector)
        let responseSchema = document?.responseSchema(method: exchange.method, path: exchange.path, status: exchange.status)
        scanBody(exchange.responseBody, side: "response", schema: responseSchema, into: &collector)

        var bare = exchange
        bare.redactions = []
        for location in ruleCheck.redact(bare).redactions {
            collector.add(location, .unredactedField)
        }
        return collector.findings
    }

    private func scanHeaders(_ headers: [HeaderField], side: String, into collector: inout Collector) {
        for field in headers {
            let location = "\(side).header.\(field.name.lowercased())"
            if LeakTextDetector.isUnredactedCredential(headerValue: field.value) { collector.add(location, .credential) }
            if LeakTextDetector.isCredentialHeaderName(field.name), !field.value.isEmpty, !Self.isRedactedHeaderValue(field.value) {
                collector.add(location, .credential)
            }
            scanText(field.value, at: location, into: &collector)
        }
    }

    /// A pseudonym, alone or after an auth scheme (`Bearer redacted:…`).
    private static func isRedactedHeaderValue(_ value: String) -> Bool {
        let last = value.split(separator: " ").last.map(String.init) ?? value
        return Pseudonymizer.isRedacted(last)
    }

    private func scanBody(_ body: [UInt8], side: String, schema: SchemaNode?, into collector: inout Collector) {
        guard !body.isEmpty else { return }
        let location = "\(side).body"
        if let json = try? JSONParser.parse(body) {
            var path: [JSONPathComponent] = []
            walk(json, schema: schema, path: &path, locate: { $0.isEmpty ? location : "\(location).\($0.pathString)" }, into: &collector)
        } else {
            scanText(String(decoding: body, as: UTF8.self), at: location, into: &collector)
        }
    }

    /// Visits every leaf; `locate` turns a path inside the current document into a location
    /// string (it differs for a document embedded in a string).
    private func walk(
        _ value: JSONValue, schema: SchemaNode?, path: inout [JSONPathComponent], locate: ([JSONPathComponent]) -> String,
        into collector: inout Collector
    ) {
        switch value {
        case .object(let members):
            for member in members {
                path.append(.key(member.key))
                walk(member.value, schema: schema?.properties[member.key], path: &path, locate: locate, into: &collector)
                path.removeLast()
            }
        case .array(let items):
            for (offset, item) in items.enumerated() {
                path.append(.index(offset))
                walk(item, schema: schema?.items, path: &path, locate: locate, into: &collector)
                path.removeLast()
            }
        case .string(let text):
            if Pseudonymizer.isRedacted(text) { return }
            if let inner = Self.embeddedDocument(text) {
                let outer = locate(path)
                var innerPath: [JSONPathComponent] = []
                walk(inner, schema: nil, path: &innerPath, locate: { $0.isEmpty ? outer : "\(outer)>\($0.pathString)" }, into: &collector)
                return
            }
            scanLeaf(text, path: path, locate: locate, into: &collector)
        case .number(let lexeme):
            if schema?.isNumeric == true { return }
            scanLeaf(lexeme, path: path, locate: locate, into: &collector)
        case .bool, .null:
            return
        }
    }

    private func scanLeaf(_ text: String, path: [JSONPathComponent], locate: ([JSONPathComponent]) -> String, into collector: inout Collector) {
        let location = locate(path)
        scanText(text, at: location, into: &collector)
        if LeakTextDetector.isNationalID(text, at: path) { collector.add(location, .nationalID) }
    }

    /// National ids in a query's values, named as a JSON body would name them (`ssn`,
    /// `customer[national_identification_number]`).
    private func scanQuery(of target: String, into collector: inout Collector) {
        guard let mark = target.firstIndex(of: "?") else { return }
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { PercentEncoding.decode(String($0), plusIsSpace: true) }
            guard parts.count == 2, !Pseudonymizer.isRedacted(parts[1]) else { continue }
            if LeakTextDetector.isNationalID(parts[1], at: FormFieldPath.location(ofName: parts[0])) {
                collector.add("request.query", .nationalID)
            }
        }
    }

    private func scanText(_ text: String, at location: String, into collector: inout Collector) {
        guard !text.isEmpty, !Pseudonymizer.isRedacted(text) else { return }
        for kind in LeakTextDetector.kinds(in: text) { collector.add(location, kind) }
    }

    /// A string holding a JSON object or array (`attachment.body`, JSON-encoded `merchant_data`).
    private static func embeddedDocument(_ text: String) -> JSONValue? {
        guard JSONParser.startsLikeDocument(text.utf8), let parsed = try? JSONParser.parse(text) else { return nil }
        switch parsed {
        case .object, .array: return parsed
        default: return nil
        }
    }

    /// Keeps findings in discovery order without repeats.
    private struct Collector {
        let exchangeID: Int64?
        var findings: [LeakFinding] = []
        var seen: Set<LeakFinding> = []

        init(exchangeID: Int64?) {
            self.exchangeID = exchangeID
        }

        mutating func add(_ location: String, _ kind: LeakKind) {
            let finding = LeakFinding(exchangeID: exchangeID, location: location, kind: kind)
            if seen.insert(finding).inserted { findings.append(finding) }
        }
    }
}
