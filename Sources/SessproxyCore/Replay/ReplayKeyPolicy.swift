/// The one owner of what a cassette's stored `match_key` means: which rules it was computed
/// with, when a row's stored key can be trusted, when replay recomputes keys from bodies and
/// whether it may write them back. The store and the recorder ask here instead of deciding.
///
/// Keys are stored under the built-in profile, because the store does not know a recording's
/// redaction config; the file's `match_rules` names the fingerprint they were computed under
/// (`ReplayMatchKey.fingerprint`, which also covers the key algorithm's version).
public enum ReplayKeyPolicy {
    /// The matcher whose keys a cassette stores.
    public static let storedKeyMatcher = ReplayMatcher(rules: .klarna)

    /// `match_rules` of a file whose stored keys are `storedKeyMatcher`'s.
    public static var storedKeyFingerprint: String { storedKeyMatcher.rulesFingerprint }

    /// Whether rows written now get a key: only while the file's keys are the stored-key
    /// matcher's, or new rows would mix with keys of other rules.
    public static func storesKeys(fileFingerprint: String?) -> Bool {
        fileFingerprint == storedKeyFingerprint
    }

    /// The key to store for an exchange being written: the recorder's precomputed one, else
    /// computed from the (redacted) exchange.
    public static func keyToStore(for exchange: RecordedExchange) -> String {
        exchange.precomputedMatchKey ?? storedKeyMatcher.matchKey(for: exchange)
    }

    /// The key a recorder computes for a just-redacted exchange whose request body it parsed
    /// (`requestJSON`, as stored): the placeholder pass is skipped when it redacted under the
    /// stored-key rules, since every value that pass would touch is already a pseudonym.
    public static func precomputedKey(for exchange: RecordedExchange, requestJSON: JSONValue?, recordedWith rules: RedactionRules) -> String {
        storedKeyMatcher.matchKey(for: exchange, requestJSON: requestJSON, redactedUnderTheseRules: rules == storedKeyMatcher.rules)
    }

    /// Whether replay with `matcher` can use the keys a file stores.
    public static func storedKeysValid(fileFingerprint: String?, for matcher: ReplayMatcher) -> Bool {
        fileFingerprint == matcher.rulesFingerprint
    }

    /// Whether keys replay computed with `matcher` may be written back into a file: when the
    /// file's keys are already this matcher's (filling rows without one), or when the matcher is
    /// the stored-key matcher (healing a file keyed by an older algorithm or profile). Keys of a
    /// custom redaction config are never written, so recording into the file keeps storing keys.
    public static func mayWriteBack(fileFingerprint: String?, for matcher: ReplayMatcher) -> Bool {
        fileFingerprint == matcher.rulesFingerprint || matcher.rulesFingerprint == storedKeyFingerprint
    }
}
