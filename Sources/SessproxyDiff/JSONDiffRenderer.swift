import SessproxyCore

/// Renders a `DiffReport` as JSON for scripts and CI, with a stable schema (`sessproxy.diff/v1`).
/// Keys are sorted, indentation is two spaces, every key is always present (absent values are
/// `null`), and the output ends with a newline. Noise is never included.
///
/// ```text
/// {
///   "schema": "sessproxy.diff/v1",
///   "equal": Bool,                     // true when every call is "same"
///   "labels": { "a": String, "b": String },
///   "ignored_paths": [String],         // body patterns ignored as noise, e.g. "**.client_token"
///   "summary": {
///     "sessions": Int, "changed_sessions": Int, "added_sessions": Int, "missing_sessions": Int,
///     "calls": Int, "same": Int, "changed": Int, "added": Int, "missing": Int, "reordered": Int,
///     "findings": Int,
///     "findings_by_kind": { "status": Int, "error_messages": Int, "amount_rule": Int,
///                           "request_body": Int, "response_body": Int, "header": Int }
///   },
///   "sessions": [{
///     "index": Int | null,             // 1-based order of creation; null = calls outside sessions
///     "a_session_id": String | null,   // labels only
///     "b_session_id": String | null,
///     "status": "same" | "changed" | "added" | "missing",
///     "calls": [{
///       "operation": "create" | "read" | "update" | "other",
///       "method": String,
///       "path": String,                // session id replaced by "{session_id}"
///       "a_exchange_id": Int | null, "b_exchange_id": Int | null,
///       "a_status": Int | null, "b_status": Int | null,
///       "alignment": "same" | "changed" | "added" | "missing" | "reordered",
///       "findings": [{
///         "kind": "status" | "error_messages" | "amount_rule" | "request_body" | "response_body" | "header",
///         "path": String,              // "status", "error_messages", "order_lines[ref=CAP-7].quantity", "$", "response.header.content-type"
///         "before": String | null,     // A's value (compact JSON for body values), null when absent
///         "after": String | null,      // B's value
///         "message": String,           // one line for humans
///         "rule": String | null        // amount rule id for "amount_rule" findings, e.g. "line-total"
///       }]
///     }]
///   }]
/// }
/// ```
///
/// The same description, with examples, is in `DIFF-FORMAT.md` beside this file.
public struct JSONDiffRenderer: Sendable {
    public static let schema = "sessproxy.diff/v1"

    public init() {}

    public func render(_ report: DiffReport) -> String {
        JSONSerializer.string(document(report), style: .pretty) + "\n"
    }

    /// The report as a JSON value, for callers that embed it in a larger document.
    public func document(_ report: DiffReport) -> JSONValue {
        let summary = report.summary
        let byKind = DiffFinding.Kind.allCases.map { kind in
            JSONMember(key: Self.name(kind), value: number(summary.findingsByKind[kind] ?? 0))
        }
        return .object([
            member("schema", .string(Self.schema)),
            member("equal", .bool(report.isEqual)),
            member("labels", .object([member("a", .string(report.aLabel)), member("b", .string(report.bLabel))])),
            member("ignored_paths", .array(report.ignoredPaths.map(JSONValue.string))),
            member("summary", .object([
                member("sessions", number(summary.sessions)),
                member("changed_sessions", number(summary.changedSessions)),
                member("added_sessions", number(summary.addedSessions)),
                member("missing_sessions", number(summary.missingSessions)),
                member("calls", number(summary.calls)),
                member("same", number(summary.same)),
                member("changed", number(summary.changed)),
                member("added", number(summary.added)),
                member("missing", number(summary.missing)),
                member("reordered", number(summary.reordered)),
                member("findings", number(summary.findings)),
                member("findings_by_kind", .object(byKind)),
            ])),
            member("sessions", .array(report.sessions.map(session))),
        ])
    }

    /// JSON name of a finding kind: `error_messages`, `amount_rule`…
    public static func name(_ kind: DiffFinding.Kind) -> String {
        switch kind {
        case .status: return "status"
        case .errorMessages: return "error_messages"
        case .amountRule: return "amount_rule"
        case .requestBody: return "request_body"
        case .responseBody: return "response_body"
        case .header: return "header"
        }
    }

    private func session(_ session: SessionDiff) -> JSONValue {
        .object([
            member("index", session.index.map { number($0) } ?? .null),
            member("a_session_id", optionalString(session.aSessionID)),
            member("b_session_id", optionalString(session.bSessionID)),
            member("status", .string(session.status.rawValue)),
            member("calls", .array(session.calls.map(call))),
        ])
    }

    private func call(_ call: CallDiff) -> JSONValue {
        .object([
            member("operation", .string(call.operation.rawValue)),
            member("method", .string(call.method)),
            member("path", .string(call.path)),
            member("a_exchange_id", call.aExchangeID.map { .number(String($0)) } ?? .null),
            member("b_exchange_id", call.bExchangeID.map { .number(String($0)) } ?? .null),
            member("a_status", call.aStatus.map { number($0) } ?? .null),
            member("b_status", call.bStatus.map { number($0) } ?? .null),
            member("alignment", .string(call.alignment.rawValue)),
            member("findings", .array(call.findings.map(finding))),
        ])
    }

    private func finding(_ finding: DiffFinding) -> JSONValue {
        .object([
            member("kind", .string(Self.name(finding.kind))),
            member("path", .string(finding.path)),
            member("before", optionalString(finding.before)),
            member("after", optionalString(finding.after)),
            member("message", .string(finding.message)),
            member("rule", optionalString(finding.rule)),
        ])
    }

    private func member(_ key: String, _ value: JSONValue) -> JSONMember { JSONMember(key: key, value: value) }
    private func number(_ value: Int) -> JSONValue { .number(String(value)) }
    private func optionalString(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
}
