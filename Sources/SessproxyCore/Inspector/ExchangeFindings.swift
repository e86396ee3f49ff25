/// What the inspector says about an exchange in Klarna terms: each amount rule the order in the
/// request body breaks (named, with the line's `reference`, the field, expected and actual), and
/// the error Klarna answered. The same rules fake Klarna enforces and `diff` points at.
public enum ExchangeFindings {
    public static func json(for exchange: RecordedExchange) -> JSONValue {
        .object([
            JSONMember(key: "amount_rules", value: .array(amountRules(in: exchange).map(json(of:)))),
            JSONMember(key: "klarna_error", value: klarnaError(in: exchange)),
        ])
    }

    /// Amount rules broken by the order in a create or update body.
    public static func amountRules(in exchange: RecordedExchange) -> [KlarnaAmountRules.Violation] {
        guard exchange.operation == .create || exchange.operation == .update, let body = exchange.requestJSON else { return [] }
        return KlarnaAmountRules.check(body)
    }

    static func json(of violation: KlarnaAmountRules.Violation) -> JSONValue {
        let prefix = "order_lines[ref="
        let reference: JSONValue = violation.linePath.flatMap { path in
            path.hasPrefix(prefix) && path.hasSuffix("]") ? JSONValue.string(String(path.dropFirst(prefix.count).dropLast())) : nil
        } ?? .null
        return .object([
            JSONMember(key: "rule", value: .string(violation.rule.rawValue)),
            JSONMember(key: "path", value: .string(violation.path)),
            JSONMember(key: "line_reference", value: reference),
            JSONMember(key: "field", value: .string(violation.field)),
            JSONMember(key: "expected", value: .string(violation.expected)),
            JSONMember(key: "actual", value: .string(violation.actual)),
            JSONMember(key: "explanation", value: .string(violation.explanation)),
            JSONMember(key: "summary", value: .string(violation.summary)),
            JSONMember(key: "klarna_message", value: .string(violation.klarnaMessage)),
        ])
    }

    /// Klarna's error answer (`error_code`, `error_messages`), or null when the answer is not one.
    static func klarnaError(in exchange: RecordedExchange) -> JSONValue {
        guard exchange.status >= 400, let error = KlarnaErrorBody(bytes: exchange.responseBody) else { return .null }
        return .object([
            JSONMember(key: "error_code", value: .string(error.errorCode)),
            JSONMember(key: "error_messages", value: .array(error.errorMessages.map { .string($0) })),
            JSONMember(key: "correlation_id", value: .string(error.correlationID)),
        ])
    }
}
