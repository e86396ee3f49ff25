import Testing
@testable import SessproxyCore

@Suite struct KeyTableTests {
    @Test func findsEveryKeyAndNothingElse() {
        let keys = (0..<200).map { "key_\($0)" } + ["", "a", "é", "order_lines", "order_amount", "total_amount", "total_tax_amount"]
        let table = KeyTable(keys.enumerated().map { ($1, $0) })
        #expect(table.count == keys.count)
        for (offset, key) in keys.enumerated() { #expect(table[key] == offset) }
        for missing in ["key_200", "b", "order_line", "Order_lines", "total_amount ", "ké"] { #expect(table[missing] == nil) }
    }

    @Test func theLastOfARepeatedKeyWinsAsInADictionary() {
        let table = KeyTable([("a", 1), ("b", 2), ("a", 3)])
        #expect(table["a"] == 3)
        #expect(table["b"] == 2)
        #expect(table.count == 2)
    }

    @Test func anEmptyTableFindsNothing() {
        let table = KeyTable<Int>()
        #expect(table.isEmpty)
        #expect(table["a"] == nil)
        #expect(table[""] == nil)
    }
}
