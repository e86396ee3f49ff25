import SessproxyCore

/// One aligned call: the A exchange, the B exchange (either may be absent) and what differs.
public struct CallDiff: Sendable, Equatable {
    /// How the call lines up between the recordings.
    public enum Alignment: String, Sendable, Hashable, CaseIterable {
        /// Present in both, in the same place, nothing differs.
        case same
        /// Present in both, in the same place, with findings.
        case changed
        /// Only in B.
        case added
        /// Only in A.
        case missing
        /// Present in both but at a different place in the sequence (findings may follow).
        case reordered
    }

    public var operation: KlarnaOperation
    public var method: String
    /// Request path with the session id replaced by `{session_id}` (and other ids by placeholders).
    public var path: String
    public var aExchangeID: Int64?
    public var bExchangeID: Int64?
    public var aStatus: Int?
    public var bStatus: Int?
    public var alignment: Alignment
    /// Ordered by kind: status, error messages, amount rules, request body, response body, headers.
    public var findings: [DiffFinding]

    public init(
        operation: KlarnaOperation, method: String, path: String, aExchangeID: Int64?, bExchangeID: Int64?,
        aStatus: Int?, bStatus: Int?, alignment: Alignment, findings: [DiffFinding]
    ) {
        self.operation = operation
        self.method = method
        self.path = path
        self.aExchangeID = aExchangeID
        self.bExchangeID = bExchangeID
        self.aStatus = aStatus
        self.bStatus = bStatus
        self.alignment = alignment
        self.findings = findings
    }

    /// `update POST /payments/v1/sessions/{session_id}`.
    public var title: String { "\(operation.rawValue) \(method) \(path)" }
}
