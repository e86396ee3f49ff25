/// One place in a stored exchange where personal data or a secret escaped redaction. It
/// names where and what, never the value: an audit report must be safe to paste into a ticket.
public struct LeakFinding: Sendable, Hashable {
    /// Row id of the exchange in the cassette (nil for an exchange not stored yet).
    public var exchangeID: Int64?
    /// `request.header.authorization`, `response.body.billing_address.email`,
    /// `request.body.attachment.body>customer_account_info[0].unique_account_identifier`, `request.path`.
    public var location: String
    public var kind: LeakKind

    public init(exchangeID: Int64?, location: String, kind: LeakKind) {
        self.exchangeID = exchangeID
        self.location = location
        self.kind = kind
    }

    /// `{"exchange_id": …, "location": …, "kind": …}` as in `sessproxy.audit/v1`.
    public var json: JSONValue {
        .object([
            JSONMember(key: "exchange_id", value: exchangeID.map { .number(String($0)) } ?? .null),
            JSONMember(key: "location", value: .string(location)),
            JSONMember(key: "kind", value: .string(kind.rawValue)),
        ])
    }
}
