import Testing
@testable import SessproxyCore

@Suite struct NationalIDShapeTests {
    @Test(arguments: [
        ("123456789", true), ("1234567890", true), ("123456789012", true), ("12345678901", false), ("123-45-6789", true),
        ("850721-1234", true), ("19850721-1234", true), ("850721+1234", true), (" 850721-1234\t", true), ("SKU-SOCK-3P", false),
        ("12345678", false), ("85072-11234", false), ("850721/1234", false), ("abcdefghij", false), ("850721-12345", false),
        ("         ", false), ("1234 5678 9", false),
    ])
    func looksLikeANationalID(_ value: String, _ expected: Bool) {
        #expect(LeakTextDetector.looksLikeNationalID(value) == expected)
    }
}
