/// One difference inside an aligned call, in words a reviewer can act on.
public struct DiffFinding: Sendable, Equatable, Hashable {
    /// What kind of difference; also the order in which a call lists its findings.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case status
        case errorMessages
        case amountRule
        case requestBody
        case responseBody
        case header

        /// Position in a call's finding list: statuses and Klarna errors first, headers last.
        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rank < rhs.rank }
    }

    public var kind: Kind
    /// Where: `status`, `error_messages`, `order_lines[ref=CAP-7].quantity`, `response.header.content-type`, `$` for a whole body.
    public var path: String
    /// The value in A as compact JSON (or the status code, header value, expected amount); nil when absent.
    public var before: String?
    /// The value in B, same conventions as `before`.
    public var after: String?
    /// One self-contained line: `order_lines[ref=CAP-7].quantity: 1 → 2`.
    public var message: String
    /// The broken Klarna amount rule (`line-total`…) for `amountRule` findings.
    public var rule: String?

    public init(kind: Kind, path: String, before: String?, after: String?, message: String, rule: String? = nil) {
        self.kind = kind
        self.path = path
        self.before = before
        self.after = after
        self.message = message
        self.rule = rule
    }
}
