/// One recorded exchange offered in a miss report as "nearest": what differs from the live
/// request, or why it was not used although it looks the same.
public struct ReplayMissCandidate: Sendable, Hashable {
    /// Why an exchange whose body matches the live request was still not answered.
    public enum Rejection: Sendable, Hashable {
        /// Its sequence is exhausted and the engine does not repeat (`repeatsWhenExhausted` off).
        case alreadyUsed
        /// It belongs to another session than the one the live request names.
        case otherSession(String?)
        /// The live request names a session id that the cassette does not have.
        case unknownSession
        /// A read recorded after more updates of the session than have been replayed so far.
        case laterInTimeline(recordedAfterUpdates: Int, replayedUpdates: Int)

        /// Short reason, as used in reports: `already used`, `other session`, `unknown session`…
        public var label: String {
            switch self {
            case .alreadyUsed: return "already used"
            case .otherSession: return "other session"
            case .unknownSession: return "unknown session"
            case .laterInTimeline: return "later in session timeline"
            }
        }

        /// Label with the detail a user needs to act on it.
        public var explanation: String {
            switch self {
            case .alreadyUsed:
                return "already used (its recorded answers are consumed)"
            case .otherSession(let session):
                return "other session (recorded for session \(session ?? "none"))"
            case .unknownSession:
                return "unknown session (the cassette has no session with the requested id)"
            case .laterInTimeline(let recorded, let replayed):
                return "later in session timeline (recorded after \(recorded) update(s), \(replayed) replayed so far)"
            }
        }
    }

    public var exchangeID: Int64
    public var method: String
    public var target: String
    public var operation: KlarnaOperation
    public var sessionID: String?
    /// Field-level differences, recorded → live: `order_lines[ref=CAP-7].quantity: 1 → 2`,
    /// `path: /a → /b`, `method: GET → POST`, `operation: read → update`.
    public var differences: [String]
    /// How many differences there are in all (`differences` may be truncated).
    public var differenceCount: Int
    public var rejection: Rejection?

    public init(
        exchangeID: Int64, method: String, target: String, operation: KlarnaOperation, sessionID: String?,
        differences: [String], differenceCount: Int? = nil, rejection: Rejection?
    ) {
        self.exchangeID = exchangeID
        self.method = method
        self.target = target
        self.operation = operation
        self.sessionID = sessionID
        self.differences = differences
        self.differenceCount = differenceCount ?? differences.count
        self.rejection = rejection
    }

    /// One human sentence: `Recorded #12 POST /payments/v1/sessions/abc (update) differs: order_lines[ref=CAP-7].quantity: 1 → 2.`
    public var sentence: String {
        let head = "Recorded #\(exchangeID) \(method) \(target) (\(operation.rawValue))"
        if let rejection { return "\(head) not used: \(rejection.explanation)." }
        if differences.isEmpty { return "\(head) was not chosen." }
        let more = differenceCount > differences.count ? "; and \(differenceCount - differences.count) more" : ""
        return "\(head) differs: \(differences.joined(separator: "; "))\(more)."
    }

    public var json: JSONValue {
        .object([
            JSONMember(key: "exchange_id", value: .number(String(exchangeID))),
            JSONMember(key: "method", value: .string(method)),
            JSONMember(key: "target", value: .string(target)),
            JSONMember(key: "operation", value: .string(operation.rawValue)),
            JSONMember(key: "session_id", value: sessionID.map(JSONValue.string) ?? .null),
            JSONMember(key: "rejection", value: rejection.map { .string($0.label) } ?? .null),
            JSONMember(key: "differences", value: .array(differences.map(JSONValue.string))),
            JSONMember(key: "difference_count", value: .number(String(differenceCount))),
        ])
    }
}
