/// Why replay could not answer a live request: the request (secrets collapsed to `redacted`)
/// and the nearest recorded requests with what differs. Rendered as a Klarna-shaped error body
/// for the app, a one-line header, a log line and JSON for `--strict` summaries.
public struct ReplayMissReport: Sendable, Hashable {
    /// Header carrying `headerValue` on a miss answer.
    public static let headerName = "Sessproxy-Miss"

    public var method: String
    /// Live target with secret path segments replaced by `redacted`.
    public var target: String
    public var operation: KlarnaOperation
    public var sessionID: String?
    /// False when the live request names a session the cassette does not have.
    public var sessionKnown: Bool
    /// Nearest recorded requests, best first (at most three).
    public var candidates: [ReplayMissCandidate]
    /// The session went to the upstream with an earlier miss (`--on-miss forward`), so the
    /// cassette no longer answers it and nothing was compared.
    public var sessionForwarded = false

    public init(method: String, target: String, operation: KlarnaOperation, sessionID: String?, sessionKnown: Bool, candidates: [ReplayMissCandidate]) {
        self.method = method
        self.target = target
        self.operation = operation
        self.sessionID = sessionID
        self.sessionKnown = sessionKnown
        self.candidates = candidates
    }

    /// `POST /payments/v1/sessions/abc (update, session abc)`.
    public var requestDescription: String {
        var detail = operation.rawValue
        if let sessionID { detail += ", session \(sessionID)\(sessionKnown ? "" : " unknown to the cassette")" }
        if sessionForwarded { detail += ", forwarded since an earlier miss" }
        return "\(method) \(target) (\(detail))"
    }

    /// Klarna-shaped error: `SESSPROXY_NO_MATCH`, a lead sentence followed by one sentence per
    /// candidate, and the structured report as `sessproxy_miss`. The correlation id is derived
    /// from the report, so equal misses give equal bodies.
    public func errorBody(cassette: String) -> KlarnaErrorBody {
        var messages = ["No recorded exchange in \(cassette) matches \(requestDescription)."]
        if candidates.isEmpty { messages.append("The cassette has no recorded request to compare with.") }
        messages += candidates.map(\.sentence)
        let report = json
        return KlarnaErrorBody(
            errorCode: SessproxyErrorCode.noMatch, errorMessages: messages,
            correlationID: ReplayClientToken.uuidShaped(from: "sessproxy-miss:" + cassette + ":" + report.canonicalText),
            extra: [JSONMember(key: "sessproxy_miss", value: report)])
    }

    /// One ASCII line for the `Sessproxy-Miss` header: the request and the best candidate.
    public var headerValue: String {
        var text = "no match for \(method) \(target) (\(operation.rawValue))"
        if !sessionKnown, sessionID != nil { text += "; unknown session" }
        if sessionForwarded { text += "; session forwarded since an earlier miss" }
        if let best = candidates.first {
            text += "; nearest #\(best.exchangeID): "
            if let rejection = best.rejection {
                text += rejection.label
            } else {
                text += best.differences.prefix(2).joined(separator: ", ")
                if best.differenceCount > 2 { text += " (+\(best.differenceCount - 2) more)" }
            }
        }
        return Self.headerSafe(text, limit: 512)
    }

    /// A full single log line.
    public var logLine: String {
        var text = "replay miss: \(requestDescription)"
        if candidates.isEmpty, !sessionForwarded { text += "; nothing recorded to compare" }
        for candidate in candidates {
            text += " | #\(candidate.exchangeID) \(candidate.method) \(candidate.target): "
            if let rejection = candidate.rejection {
                text += rejection.explanation
            } else {
                text += candidate.differences.joined(separator: "; ")
                if candidate.differenceCount > candidate.differences.count {
                    text += "; +\(candidate.differenceCount - candidate.differences.count) more"
                }
            }
        }
        return text.replacingControlCharacters()
    }

    public var json: JSONValue {
        .object([
            JSONMember(
                key: "request",
                value: .object([
                    JSONMember(key: "method", value: .string(method)),
                    JSONMember(key: "target", value: .string(target)),
                    JSONMember(key: "operation", value: .string(operation.rawValue)),
                    JSONMember(key: "session_id", value: sessionID.map(JSONValue.string) ?? .null),
                    JSONMember(key: "session_known", value: .bool(sessionKnown)),
                ] + (sessionForwarded ? [JSONMember(key: "session_forwarded", value: .bool(true))] : []))),
            JSONMember(key: "candidates", value: .array(candidates.map(\.json))),
        ])
    }

    /// Printable ASCII only (header values must not carry CR/LF or raw UTF-8).
    static func headerSafe(_ text: String, limit: Int) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "→": out += "->"
            case "…": out += "..."
            case " "..."~": out.unicodeScalars.append(scalar)
            case "\t", "\n", "\r": out += " "
            default: out += "?"
            }
            if out.count >= limit {
                return String(out.prefix(limit - 3)) + "..."
            }
        }
        return out
    }
}

extension String {
    fileprivate func replacingControlCharacters() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
