import Testing
@testable import SessproxyCore

@Suite struct AmountRulesTests {
    static func order(lines: String, amount: Int = 16697, tax: Int = 2783) -> JSONValue {
        try! JSONParser.parse(#"{"order_amount":\#(amount),"order_tax_amount":\#(tax),"order_lines":[\#(lines)]}"#)
    }

    static let shoe = #"{"reference":"SKU-TR","quantity":2,"unit_price":8999,"tax_rate":2000,"total_amount":16198,"total_discount_amount":1800,"total_tax_amount":2700}"#
    static let shipping = #"{"reference":"SHIP-STD","quantity":1,"unit_price":499,"tax_rate":2000,"total_amount":499,"total_discount_amount":0,"total_tax_amount":83}"#

    @Test func referenceOrderKeepsEveryRule() {
        #expect(KlarnaAmountRules.check(Self.order(lines: Self.shoe + "," + Self.shipping)).isEmpty)
    }

    @Test func lineTotalRule() throws {
        let broken = Self.shoe.replacingOccurrences(of: "\"quantity\":2", with: "\"quantity\":3")
        let violations = KlarnaAmountRules.check(Self.order(lines: broken + "," + Self.shipping))
        let violation = try #require(violations.first { $0.rule == .lineTotal })
        #expect(violation.path == "order_lines[0].total_amount")
        #expect(violation.expected == "25197")
        #expect(violation.summary == "order_lines[ref=SKU-TR]: total_amount 16198 ≠ quantity×unit_price − total_discount_amount = 25197")
        #expect(violation.klarnaMessage == "Bad value: order_lines[0].total_amount")
    }

    @Test func lineTaxRuleAllowsOneMinorUnit() throws {
        let within = Self.shipping.replacingOccurrences(of: "\"total_tax_amount\":83", with: "\"total_tax_amount\":84")
        #expect(KlarnaAmountRules.check(Self.order(lines: Self.shoe + "," + within, tax: 2784)).isEmpty)
        let broken = Self.shipping.replacingOccurrences(of: "\"total_tax_amount\":83", with: "\"total_tax_amount\":100")
        let violation = try #require(KlarnaAmountRules.check(Self.order(lines: Self.shoe + "," + broken, tax: 2800)).first)
        #expect(violation.rule == .lineTax && violation.path == "order_lines[1].total_tax_amount" && violation.expected == "83")
    }

    @Test func orderSumsRules() {
        let rules = KlarnaAmountRules.check(Self.order(lines: Self.shoe + "," + Self.shipping, amount: 16000, tax: 2000)).map(\.rule)
        #expect(rules == [.orderAmount, .orderTaxAmount])
    }

    @Test func fractionalQuantityIsRejected() {
        let broken = Self.shipping.replacingOccurrences(of: "\"quantity\":1", with: "\"quantity\":0.5")
        #expect(KlarnaAmountRules.check(Self.order(lines: Self.shoe + "," + broken)).contains { $0.rule == .integerAmounts })
    }

    @Test func usSalesTaxModel() {
        let body = try! JSONParser.parse(#"{"order_amount":1080,"order_tax_amount":80,"order_lines":[{"reference":"A","quantity":1,"unit_price":1000,"tax_rate":0,"total_amount":1000,"total_tax_amount":0},{"type":"sales_tax","name":"Tax","quantity":1,"unit_price":80,"total_amount":80,"tax_rate":0,"total_tax_amount":0}]}"#)
        #expect(KlarnaAmountRules.check(body).isEmpty)
    }
}
