import Testing
@testable import SessproxyCore

/// The detector's cheap first look never says "nothing here" where a detector finds something.
@Suite struct LeakPrefilterTests {
    @Test func thePrefilterNeverHidesAFinding() {
        var generator = SystemRandomNumberGenerator()
        // Pieces of findings and of near misses, glued at random so that boundaries, separators and
        // neighbouring letters vary.
        let pieces = [
            "4111111111111111", "4111-1111-1111-1111", "5555 5555 5555 4444", "0123456789012345", "2", "6", "1234", "9", "-", " ",
            "--", "a", "Z", ".", "/", "jane@example.com", "@x.se", "+46701234567", "+4", "eyJhbGci.eyJzdWIi.sig", "eyJ",
            "Basic dXNlcjpwYXNz1", "Bearer abcdefghijklmnop1", "b",
        ]
        var checked = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...6, using: &generator)
            let bytes = Array((0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined().utf8)
            let found = !LeakTextDetector.emailRanges(bytes).isEmpty || !LeakTextDetector.phoneNumberRanges(bytes).isEmpty
                || !LeakTextDetector.credentialRanges(bytes).isEmpty || !LeakTextDetector.jwtRanges(bytes).isEmpty
                || !LeakTextDetector.cardNumberRanges(bytes).isEmpty
            if found {
                checked += 1
                #expect(LeakTextDetector.mayContainFinding(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(checked > 5_000)
        for card in ["4111111111111111", "x 4111-1111-1111-1111 y", "5555 5555 5555 4444"] {
            #expect(LeakTextDetector.mayContainFinding(Array(card.utf8)))
        }
        for quiet in ["5e5510a0-0000-4000-8000-000000000001", "3f9c2a1e-7b4d-4c8e-9a61-2d5e8f0b7c13", "SKU-TR-4471-42", "16697"] {
            #expect(!LeakTextDetector.mayContainFinding(Array(quiet.utf8)), "\(quiet)")
        }
    }
}
