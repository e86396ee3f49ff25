import Foundation

/// Klarna's arithmetic rules for an order (reference §8), checked on a create or update body.
/// Klarna answers `400 BAD_VALUE` naming the field when one of these breaks; the fake upstream
/// uses this to answer like Klarna and `diff` to say which rule a regressed payload breaks.
public enum KlarnaAmountRules {
    public enum Rule: String, Sendable, Hashable, Codable {
        /// Amounts and quantities are integers in minor units.
        case integerAmounts = "integer-amounts"
        /// `total_amount = quantity × unit_price − total_discount_amount`.
        case lineTotal = "line-total"
        /// `total_tax_amount` within ±1 of `total_amount − total_amount·10000/(10000+tax_rate)`.
        case lineTax = "line-tax"
        /// `order_amount = Σ total_amount`.
        case orderAmount = "order-amount"
        /// `order_tax_amount = Σ total_tax_amount`.
        case orderTaxAmount = "order-tax-amount"
    }

    public struct Violation: Sendable, Hashable {
        public var rule: Rule
        /// Klarna's JSON path for the field: `order_lines[1].total_tax_amount`.
        public var path: String
        /// Diff-friendly path keyed by line reference: `order_lines[ref=SHIP-STD]`.
        public var linePath: String?
        public var field: String
        public var actual: String
        public var expected: String
        /// The formula with the expected value: `quantity×unit_price − total_discount_amount = 1499`.
        public var explanation: String

        /// One line for humans: `order_lines[ref=CAP-7]: total_amount 1999 ≠ quantity×unit_price − total_discount_amount = 1499`.
        public var summary: String {
            "\(linePath ?? path.components(separatedBy: ".").dropLast().joined(separator: ".").nonEmpty ?? "order"): \(field) \(actual) ≠ \(explanation)"
        }

        /// What Klarna itself would answer: `Bad value: order_lines[1].total_tax_amount`.
        public var klarnaMessage: String { "Bad value: \(path)" }
    }

    /// Every rule broken by a session body; an empty list means the numbers add up. Bodies
    /// without `order_lines` (partial updates) are only checked for what they carry.
    public static func check(_ body: JSONValue) -> [Violation] {
        var violations: [Violation] = []
        guard let lines = body["order_lines"]?.arrayValue else { return violations }
        var sumTotal: Int64 = 0
        var sumTax: Int64 = 0
        var sumsValid = true
        for (index, line) in lines.enumerated() {
            let linePath = Self.linePath(line, index: index)
            let prefix = "order_lines[\(index)]"
            for field in ["quantity", "unit_price", "total_amount", "total_discount_amount", "total_tax_amount", "tax_rate"] {
                if let value = line[field], case .number(let lexeme) = value, Int64(lexeme) == nil {
                    violations.append(Violation(
                        rule: .integerAmounts, path: "\(prefix).\(field)", linePath: linePath, field: field,
                        actual: lexeme, expected: "an integer", explanation: "an integer in minor units"))
                    sumsValid = false
                }
            }
            let quantity = line["quantity"]?.int64Value
            let unitPrice = line["unit_price"]?.int64Value
            let discount = line["total_discount_amount"]?.int64Value ?? 0
            let total = line["total_amount"]?.int64Value
            let tax = line["total_tax_amount"]?.int64Value ?? 0
            let rate = line["tax_rate"]?.int64Value ?? 0
            if let total { sumTotal &+= total } else { sumsValid = false }
            sumTax &+= tax
            if let quantity, let unitPrice, let total {
                let (product, overflow) = quantity.multipliedReportingOverflow(by: unitPrice)
                let expected = product &- discount
                if !overflow, expected != total {
                    violations.append(Violation(
                        rule: .lineTotal, path: "\(prefix).total_amount", linePath: linePath, field: "total_amount",
                        actual: String(total), expected: String(expected),
                        explanation: "quantity×unit_price − total_discount_amount = \(expected)"))
                }
            }
            if let total, line["total_tax_amount"] != nil, rate > 0 || tax != 0 {
                let exact = Double(total) - Double(total) * 10000 / Double(10000 + rate)
                if abs(Double(tax) - exact) > 1.0 {
                    let rounded = Int64(exact.rounded())
                    violations.append(Violation(
                        rule: .lineTax, path: "\(prefix).total_tax_amount", linePath: linePath, field: "total_tax_amount",
                        actual: String(tax), expected: String(rounded),
                        explanation: "total_amount − total_amount×10000/(10000+tax_rate) = \(rounded) ±1"))
                }
            }
        }
        if sumsValid, let orderAmount = body["order_amount"]?.int64Value, orderAmount != sumTotal {
            violations.append(Violation(
                rule: .orderAmount, path: "order_amount", linePath: nil, field: "order_amount",
                actual: String(orderAmount), expected: String(sumTotal), explanation: "Σ order_lines.total_amount = \(sumTotal)"))
        }
        if sumsValid, let orderTax = body["order_tax_amount"]?.int64Value, orderTax != sumTax {
            let salesTax = lines.filter { $0["type"]?.stringValue == "sales_tax" }.compactMap { $0["total_amount"]?.int64Value }
            let usModelTotal = salesTax.reduce(0, +)
            if salesTax.isEmpty || orderTax != usModelTotal + sumTax {
                violations.append(Violation(
                    rule: .orderTaxAmount, path: "order_tax_amount", linePath: nil, field: "order_tax_amount",
                    actual: String(orderTax), expected: String(sumTax), explanation: "Σ order_lines.total_tax_amount = \(sumTax)"))
            }
        }
        return violations
    }

    /// `order_lines[ref=SKU-1]`, falling back to the name, then the index.
    public static func linePath(_ line: JSONValue, index: Int) -> String {
        if let reference = line["reference"]?.stringValue, !reference.isEmpty { return "order_lines[ref=\(reference)]" }
        if let name = line["name"]?.stringValue, !name.isEmpty { return "order_lines[name=\(name)]" }
        return "order_lines[\(index)]"
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
