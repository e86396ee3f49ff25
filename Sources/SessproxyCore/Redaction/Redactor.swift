/// Applies `RedactionRules` to an exchange in one pass over each parsed body. Runs before
/// anything is stored (record, import) and on live requests during replay, so a redacted
/// cassette still matches what the app sends.
///
/// Two kinds of evidence, both applied before anything touches disk: the rules (every value at
/// a listed location becomes a pseudonym, with a hint of its format), and the leak detector run
/// over every other stored string — header values, path and query, JSON leaves the rules do not
/// cover, bodies that are not JSON (`Redactor+UnlistedData.swift`). The OpenAPI document tells
/// which numbers are typed amounts and counts, which the detector leaves alone.
public struct Redactor: Sendable {
    public let rules: RedactionRules
    public let pseudonymizer: Pseudonymizer
    /// Schemas of request and answer bodies, for what the detector must leave alone.
    public let schemas: SchemaSource
    public var document: OpenAPIDocument? { schemas.document }
    /// Whether the leak detector runs over what the rules do not cover (off only for audit's
    /// check of which rule-covered fields were never redacted).
    public let detectsUnlistedData: Bool
    /// What the rules do at a location (redaction before embedded JSON), and the format they
    /// give it, indexed by the key a pattern ends in.
    private let actions: JSONPathIndex<RuleAction>
    private let formats: JSONPathIndex<FieldFormat>

    private enum RuleAction: Sendable {
        case redact
        case embedded
    }

    public init(
        rules: RedactionRules, pseudonymizer: Pseudonymizer, schemas: SchemaSource = .klarna, detectsUnlistedData: Bool = true
    ) {
        self.rules = rules
        self.pseudonymizer = pseudonymizer
        self.schemas = schemas
        self.detectsUnlistedData = detectsUnlistedData
        self.actions = JSONPathIndex(
            rules.bodyPaths.map { ($0, RuleAction.redact) } + rules.embeddedJSONPaths.map { ($0, RuleAction.embedded) })
        self.formats = JSONPathIndex(formatsOf: rules)
    }

    /// The redacted copy of an exchange, with `redactions` listing where values were replaced.
    public func redact(_ exchange: RecordedExchange) -> RecordedExchange {
        redactKeepingRequestJSON(exchange).exchange
    }

    /// `redact(_:)`, also handing back the redacted request body as parsed (nil when it is not
    /// JSON), so that the replay key can be computed without parsing the body a second time.
    public func redactKeepingRequestJSON(_ exchange: RecordedExchange) -> (exchange: RecordedExchange, requestJSON: JSONValue?) {
        var copy = exchange
        var notes: [String] = []
        let requestJSON = redactRequest(of: &copy, notes: &notes)
        redactResponse(of: &copy, notes: &notes)
        addNotes(notes, to: &copy)
        return (copy, requestJSON)
    }

    /// The request half of `redact(_:)` (target, request headers and body), for a recorder that
    /// redacts the request while the upstream is still answering. Returns the redacted request
    /// body as parsed; `notes` collects what was replaced, for `addNotes`.
    public func redactRequest(of exchange: inout RecordedExchange, notes: inout [String]) -> JSONValue? {
        let schema = document?.requestSchema(method: exchange.method, path: exchange.target)
        exchange.target = redactTarget(exchange.target, notes: &notes)
        // The session a read or an update names is the path's, redacted with it — also in a row
        // whose path an earlier redaction changed and whose session id it left. (A create's
        // comes from its answer.)
        if exchange.operation != .create {
            exchange.sessionID = KlarnaRouteClassifier.classify(method: exchange.method, target: exchange.target).sessionID
        }
        exchange.requestHeaders = redactHeaders(exchange.requestHeaders, side: "request", notes: &notes)
        let request = redactBodyKeepingJSON(exchange.requestBody, side: "request", schema: schema, notes: &notes)
        exchange.requestBody = request.bytes
        return request.json
    }

    /// The response half of `redact(_:)`: response headers and body.
    public func redactResponse(of exchange: inout RecordedExchange, notes: inout [String]) {
        exchange.responseHeaders = redactHeaders(exchange.responseHeaders, side: "response", notes: &notes)
        exchange.responseBody = redactResponseBody(
            exchange.responseBody, method: exchange.method, path: exchange.path, status: exchange.status, notes: &notes)
    }

    /// An answer's body as recording stores it, checked against the schema Klarna's document
    /// gives that answer.
    public func redactResponseBody(_ body: [UInt8], method: String, path: String, status: Int, notes: inout [String]) -> [UInt8] {
        let schema = document?.responseSchema(method: method, path: path, status: status)
        return redactBody(body, side: "response", schema: schema, notes: &notes)
    }

    /// Appends the notes of both halves to the exchange's `redactions`, each path once.
    public func addNotes(_ notes: [String], to exchange: inout RecordedExchange) {
        // A body yields a dozen or two paths: looking through them costs less than hashing them.
        guard exchange.redactions.count + notes.count > 64 else {
            for note in notes where !exchange.redactions.contains(note) { exchange.redactions.append(note) }
            return
        }
        var seen = Set(exchange.redactions)
        for note in notes where seen.insert(note).inserted { exchange.redactions.append(note) }
    }

    public func redactTarget(_ target: String, notes: inout [String]) -> String {
        var target = target
        for prefix in rules.secretPathPrefixes where target.hasPrefix(prefix) {
            let rest = target.dropFirst(prefix.count)
            let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let secret = String(rest[..<end])
            guard !secret.isEmpty, !Pseudonymizer.isRedacted(secret) else { continue }
            notes.append("request.path")
            target = prefix + pseudonymizer.pseudonym(for: secret) + rest[end...]
            break
        }
        return redactUnlistedTarget(target, notes: &notes)
    }

    public func redactHeaders(_ headers: [HeaderField], side: String, notes: inout [String]) -> [HeaderField] {
        headers.map { field in
            let lowered = field.name.lowercased()
            var copy = field
            if rules.headers.contains(lowered) || (detectsUnlistedData && LeakTextDetector.isCredentialHeaderName(lowered)) {
                copy.value = redactHeaderValue(field.value)
            } else if detectsUnlistedData, let replaced = redactUnlistedText(field.value) {
                copy.value = replaced
            }
            if copy.value != field.value { notes.append("\(side).header.\(lowered)") }
            return copy
        }
    }

    /// Keeps an auth scheme readable (`Basic redacted:…`) while hiding the credential.
    private func redactHeaderValue(_ value: String) -> String {
        let schemes = ["Basic ", "Bearer ", "Digest "]
        for scheme in schemes where value.hasPrefix(scheme) {
            return scheme + pseudonymizer.pseudonym(for: String(value.dropFirst(scheme.count)))
        }
        return pseudonymizer.pseudonym(for: value)
    }

    /// Redacts a body: JSON through the rules and the detector; anything else through
    /// `redactUnparsedBody` (text and forms scanned, the rest withheld).
    public func redactBody(_ body: [UInt8], side: String, schema: SchemaNode? = nil, notes: inout [String]) -> [UInt8] {
        redactBodyKeepingJSON(body, side: side, schema: schema, notes: &notes).bytes
    }

    private func redactBodyKeepingJSON(
        _ body: [UInt8], side: String, schema: SchemaNode?, notes: inout [String]
    ) -> (bytes: [UInt8], json: JSONValue?) {
        guard !body.isEmpty else { return (body, nil) }
        guard let json = try? JSONParser.parse(body) else { return (redactUnparsedBody(body, side: side, notes: &notes), nil) }
        let (redacted, changed) = walk(json, schema: schema, keepingPaths: true)
        guard changed.count > 0 else { return (body, json) }
        notes.append(contentsOf: changed.paths.map { "\(side).body.\($0)" })
        return (JSONSerializer.bytes(redacted, style: .compact), redacted)
    }

    /// Redacts a parsed document whose schema is `schema` (nil: unknown); `changed` receives
    /// the paths that were replaced.
    public func redactJSON(_ json: JSONValue, schema: SchemaNode? = nil, changed: inout [String]) -> JSONValue {
        let (redacted, paths) = walk(json, schema: schema, keepingPaths: true)
        changed.append(contentsOf: paths.paths)
        return redacted
    }

    /// `redactJSON` for a caller that needs only the redacted document (replay's key).
    public func redactJSON(_ json: JSONValue, schema: SchemaNode? = nil) -> JSONValue {
        walk(json, schema: schema, keepingPaths: false).redacted
    }

    /// One redaction walk from the document's root: the redacted document and where it changed.
    private func walk(_ json: JSONValue, schema: SchemaNode?, keepingPaths: Bool) -> (redacted: JSONValue, changed: RedactedPaths) {
        var location: [JSONPathComponent] = []
        var changed = RedactedPaths(keepsPaths: keepingPaths)
        let redacted = replacement(for: json, schema: schema, location: &location, changed: &changed) ?? json
        return (redacted, changed)
    }

    /// The redacted form of `value`, or nil when nothing below it changes: untouched subtrees
    /// (most of a Klarna body) are neither copied nor rebuilt.
    private func replacement(
        for value: JSONValue, schema: SchemaNode?, location: inout [JSONPathComponent], changed: inout RedactedPaths
    ) -> JSONValue? {
        if case .applied(let redacted) = applyRule(to: value, ruleAt: location, valueAt: location, changed: &changed) { return redacted }
        switch value {
        case .object(let members):
            var out: [JSONMember]? = nil
            for offset in members.indices {
                location.append(.key(members[offset].key))
                let childSchema = schema?.properties[members[offset].key]
                if let child = replacement(for: members[offset].value, schema: childSchema, location: &location, changed: &changed) {
                    if out == nil { out = members }
                    out![offset].value = child
                }
                location.removeLast()
            }
            guard let out else { return Optional.none }
            return .object(out)
        case .array(let items):
            var out: [JSONValue]? = nil
            for offset in items.indices {
                location.append(.index(offset))
                if let child = replacement(for: items[offset], schema: schema?.items, location: &location, changed: &changed) {
                    if out == nil { out = items }
                    out![offset] = child
                }
                location.removeLast()
            }
            guard let out else { return Optional.none }
            return .array(out)
        case .string, .number:
            guard detectsUnlistedData, !isKept(location), let redacted = redactUnlistedLeaf(value, schema: schema, location: location)
            else { return Optional.none }
            changed.add(location)
            return redacted
        case .bool, .null:
            return Optional.none
        }
    }

    /// A form value (a query's or a form body's) under the rules, replaced as the JSON string at
    /// `location` would be: the walk down from the root stops at the first location a rule names
    /// and no keep rule keeps (a rule naming `customer` covers `customer[name]`), and embedded
    /// JSON is a string at the very location named. Nil when no rule covers it or nothing changed.
    func redactListedFormValue(_ text: String, at location: [JSONPathComponent], changed: inout RedactedPaths) -> String? {
        for depth in location.indices {
            switch applyRule(to: .string(text), ruleAt: Array(location[...depth]), valueAt: location, changed: &changed) {
            case .notApplicable: continue
            case .applied(.some(.string(let redacted))): return redacted
            case .applied: return nil
            }
        }
        return nil
    }

    /// What a rule does to a value: none applies, or one applied and replaced it (nil when it
    /// changed nothing, the value being a pseudonym already). The two differ for the JSON walk,
    /// which goes on into a value no rule applies to.
    private enum RuleOutcome {
        case notApplicable
        case applied(JSONValue?)
    }

    /// The rule at `ruleLocation`, unless kept there, applied to the value at `location` (the
    /// same place, or below it for a form field whose parent a rule names). Embedded JSON is a
    /// string at the very location a rule names.
    private func applyRule(
        to value: JSONValue, ruleAt ruleLocation: [JSONPathComponent], valueAt location: [JSONPathComponent], changed: inout RedactedPaths
    ) -> RuleOutcome {
        guard let action = matchingAction(at: ruleLocation), !isKept(ruleLocation) else { return .notApplicable }
        let before = changed.count
        let redacted: JSONValue
        switch action {
        case .redact:
            redacted = redactLeaves(value, location: location, changed: &changed)
        case .embedded:
            guard ruleLocation.count == location.count, case .string(let text) = value else { return .notApplicable }
            redacted = .string(redactEmbedded(text, location: location, changed: &changed))
        }
        // Not a ternary: `nil` would become `JSONValue.null` through its nil literal.
        if changed.count == before { return .applied(Optional.none) }
        return .applied(redacted)
    }

    /// The first rule matching this location (redaction before embedded JSON), if any.
    private func matchingAction(at location: [JSONPathComponent]) -> RuleAction? {
        actions.firstMatch(at: location)
    }

    func isKept(_ location: [JSONPathComponent]) -> Bool {
        rules.keepPaths.contains { $0.matches(location) }
    }

    /// Every leaf below a matched location becomes a pseudonym: strings always, numbers and
    /// booleans too unless `keepingNumbersAndBooleans` (embedded documents keep counts and
    /// flags); null stays null.
    private func redactLeaves(
        _ value: JSONValue, location: [JSONPathComponent], keepingNumbersAndBooleans: Bool = false, changed: inout RedactedPaths
    ) -> JSONValue {
        switch value {
        case .null:
            return value
        case .string(let text):
            if Pseudonymizer.isRedacted(text) { return value }
            changed.add(location)
            // Placeholders carry no hint: matching needs none, so no format is worked out for it.
            if pseudonymizer.isPlaceholderOnly { return .string(Pseudonymizer.placeholder) }
            // Inside an embedded document the profile names no locations: the value shows its format.
            let format = keepingNumbersAndBooleans ? FieldFormat.evident(in: text) : formats.firstMatch(at: location) ?? FieldFormat.evident(in: text)
            return .string(pseudonymizer.pseudonym(for: text, format: format))
        case .number(let lexeme):
            if keepingNumbersAndBooleans { return value }
            changed.add(location)
            return .string(pseudonymizer.pseudonym(for: lexeme))
        case .bool(let flag):
            if keepingNumbersAndBooleans { return value }
            changed.add(location)
            return .string(pseudonymizer.pseudonym(for: flag ? "true" : "false"))
        case .object(let members):
            return .object(members.map { member in
                JSONMember(
                    key: member.key,
                    value: redactLeaves(
                        member.value, location: location + [.key(member.key)], keepingNumbersAndBooleans: keepingNumbersAndBooleans,
                        changed: &changed))
            })
        case .array(let items):
            return .array(items.enumerated().map { offset, item in
                redactLeaves(item, location: location + [.index(offset)], keepingNumbersAndBooleans: keepingNumbersAndBooleans, changed: &changed)
            })
        }
    }

    /// JSON inside a string: every string leaf of the inner document is redacted (numbers and
    /// booleans are counts and flags, kept). A string that is not JSON is redacted whole.
    private func redactEmbedded(_ text: String, location: [JSONPathComponent], changed: inout RedactedPaths) -> String {
        guard let inner = try? JSONParser.parse(text) else {
            if Pseudonymizer.isRedacted(text) || text.isEmpty { return text }
            changed.add(location)
            return pseudonymizer.pseudonym(for: text)
        }
        var innerChanged = RedactedPaths(keepsPaths: changed.keepsPaths)
        let redacted = redactLeaves(inner, location: [], keepingNumbersAndBooleans: true, changed: &innerChanged)
        guard innerChanged.count > 0 else { return text }
        changed.add(embedded: innerChanged, at: location)
        return JSONSerializer.string(redacted, style: .compact)
    }
}
