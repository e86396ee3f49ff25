import Testing
@testable import SessproxyCore

/// When stored match keys are trusted, recomputed and written back.
@Suite struct ReplayKeyPolicyTests {
    let builtIn = ReplayMatcher()
    let custom = ReplayMatcher(rules: RedactionRules.klarna.extended(with: RedactionAdditions(paths: [try! JSONPathPattern("merchant_reference1")])))
    let older = "fingerprint of an older key algorithm"

    @Test func storedKeysAreTheBuiltInProfiles() {
        #expect(ReplayKeyPolicy.storesKeys(fileFingerprint: builtIn.rulesFingerprint))
        #expect(!ReplayKeyPolicy.storesKeys(fileFingerprint: older))
        #expect(!ReplayKeyPolicy.storesKeys(fileFingerprint: nil))
    }

    @Test func storedKeysAreTrustedOnlyUnderTheirOwnRules() {
        #expect(ReplayKeyPolicy.storedKeysValid(fileFingerprint: builtIn.rulesFingerprint, for: builtIn))
        #expect(!ReplayKeyPolicy.storedKeysValid(fileFingerprint: builtIn.rulesFingerprint, for: custom))
        #expect(!ReplayKeyPolicy.storedKeysValid(fileFingerprint: older, for: builtIn))
    }

    @Test func computedKeysAreWrittenBackToHealNeverForACustomConfig() {
        #expect(ReplayKeyPolicy.mayWriteBack(fileFingerprint: older, for: builtIn), "an older file is healed")
        #expect(ReplayKeyPolicy.mayWriteBack(fileFingerprint: builtIn.rulesFingerprint, for: builtIn))
        #expect(!ReplayKeyPolicy.mayWriteBack(fileFingerprint: builtIn.rulesFingerprint, for: custom))
        #expect(ReplayKeyPolicy.mayWriteBack(fileFingerprint: custom.rulesFingerprint, for: custom), "a file already keyed so")
    }

    @Test func theRecordersShortcutKeyIsTheStoredOne() throws {
        let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 4, count: 32)))
        let (stored, json) = redactor.redactKeepingRequestJSON(ReplayFixture.exchange(1, "POST", "/payments/v1/sessions", body: RedactionTests.createBody))
        #expect(ReplayKeyPolicy.precomputedKey(for: stored, requestJSON: json, recordedWith: .klarna) == ReplayKeyPolicy.keyToStore(for: stored))
        #expect(ReplayKeyPolicy.precomputedKey(for: stored, requestJSON: json, recordedWith: custom.rules) == ReplayKeyPolicy.keyToStore(for: stored))
    }
}
