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
        #expect(ReplayMatchKey.digest(of: create) == "7c178668e26eda0f530e76fa6b16736e1afdbc6b67e5de44300284b839b47651")
        let read = ReplayRequestKey(
            method: "GET", operation: .read, sessionID: "sess-1", path: "/payments/v1/sessions/sess-1", query: "a=1", body: .empty)
        #expect(ReplayMatchKey.digest(of: read) == "a3043ad81720ae6f595703f44e93343b2cb18a94260ec2753dede1783a074d41")
        let other = ReplayRequestKey(method: "POST", operation: .other, sessionID: nil, path: "/x", query: "", body: .bytes([0, 1] + Array("abc".utf8)))
        #expect(ReplayMatchKey.digest(of: other) == "aa352990a3e75809d4bea97ecbfe6747fdea3003b0589bb36a6898e1adb317f0")
    }
}
