/// The pure matching function of replay. A live request and a recorded exchange match when
/// method, operation, path (including the recorded session id), query and canonical JSON body
/// are equal after both sides went through the same normalisation:
///
/// - the live side is redacted with the cassette's rules in placeholder mode (there is no key at
///   replay time), so every secret becomes `redacted`;
/// - on both sides every pseudonym (`redacted:3fa9…`, also inside embedded JSON text and path
///   segments) collapses to the bare placeholder `redacted`.
///
/// Request headers take no part in matching, not even `Content-Type`: the answer Klarna gives
/// depends on method, path and body, the volatile ones (`Date`, `Authorization`, correlation ids,
/// `User-Agent`…) differ on every run, and `Content-Type` varies between client libraries for the
/// very same call (Klarna's PHP SDK sends updates as `application/octet-stream`). A body is
/// treated as JSON whenever it parses as JSON, whatever its declared type; other bodies compare
/// byte for byte.
public struct ReplayMatcher: Sendable {
    public let rules: RedactionRules
    /// The cassette's rules in placeholder mode: what live requests are normalised with (and
    /// what the inspector shows of them).
    public let redactor: Redactor
    private let secretPrefixBytes: [[UInt8]]

    public init(rules: RedactionRules = .klarna) {
        self.rules = rules
        self.redactor = Redactor(rules: rules, pseudonymizer: .placeholderOnly)
        self.secretPrefixBytes = rules.secretPathPrefixes.map { Array($0.utf8) }
        self.rulesFingerprint = ReplayMatchKey.fingerprint(of: rules)
    }

    /// Key of a live request.
    public func key(for request: ReplayRequest) -> ReplayRequestKey {
        key(method: request.method, target: request.target, body: request.body)
    }

    /// Key of a recorded exchange's request.
    public func key(for exchange: RecordedExchange) -> ReplayRequestKey {
        key(method: exchange.method, target: exchange.target, body: exchange.requestBody)
    }

    /// Whether a live request would be answered by a recorded exchange, state aside.
    public func matches(_ request: ReplayRequest, _ exchange: RecordedExchange) -> Bool {
        key(for: request) == key(for: exchange)
    }

    /// `ReplayMatchKey.digest` of a recorded exchange's request key, as stored in cassettes.
    public func matchKey(for exchange: RecordedExchange) -> String {
        ReplayMatchKey.digest(of: key(for: exchange))
    }

    /// `matchKey(for:)` of an exchange whose request body is already parsed (`requestJSON`, the
    /// body as stored; nil when it is not JSON): the same digest without a second parse.
    ///
    /// `redactedUnderTheseRules`: the body came out of a keyed redaction with exactly this
    /// matcher's rules, so the placeholder pass would change nothing and is skipped (every
    /// value it would touch is already a pseudonym, and pseudonyms collapse the same way).
    public func matchKey(for exchange: RecordedExchange, requestJSON: JSONValue?, redactedUnderTheseRules: Bool = false) -> String {
        guard let requestJSON else { return matchKey(for: exchange) }
        var key = key(method: exchange.method, target: exchange.target, body: [])
        key.body = .json(canonicalNormalisedText(requestJSON, method: exchange.method, path: key.path, alreadyRedacted: redactedUnderTheseRules))
        return ReplayMatchKey.digest(of: key)
    }

    /// Which stored match keys are valid for this matcher (see `ReplayMatchKey.fingerprint`).
    public let rulesFingerprint: String

    /// Operation and session of a request key from method and target alone, without the body:
    /// equal to `key(method:target:body:).operation` and `.sessionID`. Replay start-up calls
    /// this once per recorded exchange, so plain targets (ASCII, no `%`, `#`, pseudonym or
    /// secret prefix: every sessions call) take a byte-level path with the classifier's rules.
    public func route(method: String, target: String) -> RouteClassification {
        if let fast = plainRoute(method: method, target: target) { return fast }
        return KlarnaRouteClassifier.classify(method: method, target: normalisedTarget(target))
    }

    /// `KlarnaRouteClassifier.classify` for a target that normalisation leaves unchanged and
    /// whose characters are single bytes; nil for anything else (the general path decides).
    private func plainRoute(method: String, target: String) -> RouteClassification? {
        enum Verb { case get, post, other }
        var method = method
        var target = target
        let verb: Verb? = method.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
            if Self.equalIgnoringCase(bytes, Self.getBytes) { return .get }
            if Self.equalIgnoringCase(bytes, Self.postBytes) { return .post }
            return .other
        }
        guard let verb else { return nil }
        let prefixes = secretPrefixBytes
        return target.withUTF8 { bytes -> RouteClassification? in
            guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") && $0 != UInt8(ascii: "#") }) else { return nil }
            if ByteSearch.firstIndex(of: Self.pseudonymPrefixBytes, in: bytes, from: 0) != nil { return nil }
            // Whatever the leak detector might change (an email, a card number) takes the general path.
            if LeakTextDetector.mayContainFinding(bytes) { return nil }
            for prefix in prefixes where Self.hasPrefix(bytes, prefix) { return nil }
            let end = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.count
            let path = UnsafeBufferPointer(rebasing: bytes[0..<end])
            let sessions = Self.sessionsBytes
            if path.count == sessions.count || path.count == sessions.count + 1, Self.hasPrefix(path, sessions),
                path.count == sessions.count || path[sessions.count] == UInt8(ascii: "/")
            {
                return RouteClassification(operation: verb == .post ? .create : .other, sessionID: nil)
            }
            guard path.count > sessions.count, Self.hasPrefix(path, sessions), path[sessions.count] == UInt8(ascii: "/") else {
                return RouteClassification(operation: .other, sessionID: nil)
            }
            var idEnd = path.count
            if path[idEnd - 1] == UInt8(ascii: "/") { idEnd -= 1 }
            let id = UnsafeBufferPointer(rebasing: path[(sessions.count + 1)..<max(idEnd, sessions.count + 1)])
            guard !id.isEmpty, !id.contains(UInt8(ascii: "/")) else { return RouteClassification(operation: .other, sessionID: nil) }
            let sessionID = String(decoding: id, as: UTF8.self)
            switch verb {
            case .get: return RouteClassification(operation: .read, sessionID: sessionID)
            case .post: return RouteClassification(operation: .update, sessionID: sessionID)
            case .other: return RouteClassification(operation: .other, sessionID: sessionID)
            }
        }
    }

    private static let getBytes = Array("GET".utf8)
    private static let postBytes = Array("POST".utf8)
    private static let sessionsBytes = Array(KlarnaRouteClassifier.sessionsPrefix.utf8)
    private static let pseudonymPrefixBytes = Array(Pseudonymizer.prefix.utf8)

    private static func equalIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ upper: [UInt8]) -> Bool {
        bytes.count == upper.count && zip(bytes, upper).allSatisfy { (0x61...0x7A).contains($0) ? $0 - 0x20 == $1 : $0 == $1 }
    }

    private static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: [UInt8]) -> Bool {
        bytes.count >= prefix.count && bytes.prefix(prefix.count).elementsEqual(prefix)
    }

    public func key(method: String, target: String, body: [UInt8]) -> ReplayRequestKey {
        let normalised = normalisedTarget(target)
        let route = KlarnaRouteClassifier.classify(method: method, target: normalised)
        let path = KlarnaRouteClassifier.pathOnly(normalised)
        return ReplayRequestKey(
            method: method.uppercased(), operation: route.operation, sessionID: route.sessionID,
            path: path, query: Self.query(of: normalised), body: normalisedBody(body, method: method, path: path))
    }

    /// The target with secret path segments replaced by the placeholder.
    public func normalisedTarget(_ target: String) -> String {
        var notes: [String] = []
        return PseudonymToken.collapsed( redactor.redactTarget(target, notes: &notes))
    }

    /// The body as matching sees it: JSON in canonical form; anything else as the recorder
    /// stores it (findings replaced, unparseable bodies withheld), pseudonyms collapsed.
    public func normalisedBody(_ body: [UInt8], method: String, path: String) -> ReplayBody {
        guard !body.isEmpty else { return .empty }
        guard let json = try? JSONParser.parse(body) else {
            var notes: [String] = []
            let stored = redactor.redactBody(body, side: "request", notes: &notes)
            guard let text = String(validating: stored, as: UTF8.self) else { return .bytes(stored) }
            return .bytes(Array(PseudonymToken.collapsed( text).utf8))
        }
        return .json(canonicalNormalisedText(json, method: method, path: path, alreadyRedacted: false))
    }

    /// Canonical text of a parsed body redacted in placeholder mode, with every pseudonym
    /// collapsed while writing (no rebuilt copy of the tree). The request's schema (which
    /// numbers the detector leaves alone) is looked up only when that redaction runs.
    func canonicalNormalisedText(_ json: JSONValue, method: String, path: String, alreadyRedacted: Bool) -> String {
        var redacted = json
        if !alreadyRedacted {
            let schema = redactor.document?.requestSchema(method: method, path: path)
            redacted = redactor.redactJSON(json, schema: schema)
        }
        let bytes = JSONSerializer.bytes(redacted, style: .canonical, transformingStringValues: PseudonymToken.collapsed)
        return String(decoding: bytes, as: UTF8.self)
    }

    static func query(of target: String) -> String {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        let rest = target[target.index(after: mark)...]
        let end = rest.firstIndex(of: "#") ?? rest.endIndex
        return String(rest[..<end])
    }
}
