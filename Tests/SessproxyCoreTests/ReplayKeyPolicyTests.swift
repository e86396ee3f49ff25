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

@Suite struct ReplayMatchKeyDigestTests {
    /// Stored keys outlive builds: the digest's byte layout (`<length>:<bytes>` per field, in
    /// this order) is pinned against SHA-256 values computed outside Swift.
    @Test func digestLayoutIsPinned() {
        let create = ReplayRequestKey(
            method: "POST", operation: .create, sessionID: nil, path: "/payments/v1/sessions", query: "",
            body: .json(#"{"order_amount":100,"é":"x"}"#))
        #expect(ReplayMatchKey.digest(of: create) == "7c7d579b548873264980b2aabe3f564c3ba82e0d05509230afb22aa17a633368")
        let read = ReplayRequestKey(
            method: "GET", operation: .read, sessionID: "sess-1", path: "/payments/v1/sessions/sess-1", query: "a=1", body: .empty)
        #expect(ReplayMatchKey.digest(of: read) == "84e384215f779f36dee3c40130c15ba8403ce02c0c1d6ba9d4532f2e2f67537e")
        let other = ReplayRequestKey(method: "POST", operation: .other, sessionID: nil, path: "/x", query: "", body: .bytes([0, 1] + Array("abc".utf8)))
        #expect(ReplayMatchKey.digest(of: other) == "600c9bea174faef2f96626cddcd5833cf7fd8789c4bc4509fa7bea59efdafc3c")
    }
}
