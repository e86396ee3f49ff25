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
        #expect(ReplayMatchKey.digest(of: create) == "d3459075ab066eb0004bca510a82368086509723531add2265e170d91b82a551")
        let read = ReplayRequestKey(
            method: "GET", operation: .read, sessionID: "sess-1", path: "/payments/v1/sessions/sess-1", query: "a=1", body: .empty)
        #expect(ReplayMatchKey.digest(of: read) == "474d431f7c10b9dfb93cc6241aca4bda927c898db90d9fc0816229eeed486c46")
        let other = ReplayRequestKey(method: "POST", operation: .other, sessionID: nil, path: "/x", query: "", body: .bytes([0, 1] + Array("abc".utf8)))
        #expect(ReplayMatchKey.digest(of: other) == "8cf96b300eebee1bd047d151f2fdd3253e5ea5fd27e56018eb6e953898e4b889")
    }
}
