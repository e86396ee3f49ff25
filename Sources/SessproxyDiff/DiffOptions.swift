import SessproxyCore

/// What `RecordingDiff` treats as noise beyond the Klarna defaults, and how it treats redacted values.
public struct DiffOptions: Sendable, Equatable {
    /// Extra body locations to ignore, on top of `KlarnaProfile.noiseBodyPaths` (which always apply).
    public var ignore: [JSONPathPattern]
    /// When false (the default), two redacted values count as equal: both sides held a secret, and
    /// which secret is not something a regression hunt can act on.
    public var compareRedacted: Bool

    public init(ignore: [JSONPathPattern] = [], compareRedacted: Bool = false) {
        self.ignore = ignore
        self.compareRedacted = compareRedacted
    }

    /// Every body pattern that is stripped before comparing or printing.
    var bodyNoise: [JSONPathPattern] { KlarnaProfile.noiseBodyPaths + ignore }
}
