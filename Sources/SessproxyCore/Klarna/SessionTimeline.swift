/// One Klarna session's story in a cassette: its create and the reads and updates that
/// followed, each with status and the order amount known at that step.
public struct SessionTimeline: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var exchangeID: Int64
        public var operation: KlarnaOperation
        public var status: Int
        /// `order_amount` sent (create, update) or returned (read); nil when the step carries none.
        public var orderAmount: Int64?
        /// Klarna `error_messages` when the step failed.
        public var errorMessages: [String]
    }

    public var sessionID: String
    public var steps: [Step]

    /// Sessions in order of first appearance; exchanges without a session are left out.
    public static func build(from exchanges: [RecordedExchange]) -> [SessionTimeline] {
        var order: [String] = []
        var steps: [String: [Step]] = [:]
        for exchange in exchanges {
            guard let id = exchange.sessionID, exchange.operation != .other else { continue }
            if steps[id] == nil { order.append(id) }
            let amountSource = exchange.operation == .read ? exchange.responseJSON : exchange.requestJSON
            let errors = (200..<300).contains(exchange.status) ? [] : (KlarnaErrorBody(bytes: exchange.responseBody)?.errorMessages ?? [])
            steps[id, default: []].append(Step(
                exchangeID: exchange.id ?? 0, operation: exchange.operation, status: exchange.status,
                orderAmount: amountSource?["order_amount"]?.int64Value, errorMessages: errors))
        }
        return order.map { SessionTimeline(sessionID: $0, steps: steps[$0] ?? []) }
    }

    public var json: JSONValue {
        .object([
            JSONMember(key: "session_id", value: .string(sessionID)),
            JSONMember(key: "steps", value: .array(steps.map { step in
                .object([
                    JSONMember(key: "exchange_id", value: .number(String(step.exchangeID))),
                    JSONMember(key: "operation", value: .string(step.operation.rawValue)),
                    JSONMember(key: "status", value: .number(String(step.status))),
                    JSONMember(key: "order_amount", value: step.orderAmount.map { .number(String($0)) } ?? .null),
                    JSONMember(key: "error_messages", value: .array(step.errorMessages.map { .string($0) })),
                ])
            })),
        ])
    }

    /// `create 200 (16697) → read 200 (16697) → update 400 [Bad value: order_amount]`.
    public var summary: String {
        steps.map { step in
            var text = "\(step.operation.rawValue) \(step.status)"
            if let amount = step.orderAmount { text += " (\(amount))" }
            if !step.errorMessages.isEmpty { text += " [\(step.errorMessages.joined(separator: "; "))]" }
            return text
        }.joined(separator: " → ")
    }
}
