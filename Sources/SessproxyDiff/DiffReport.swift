/// The outcome of comparing two recordings: session by session, call by call, with findings.
/// Pure data; the renderers turn it into text, Markdown or JSON.
public struct DiffReport: Sendable, Equatable {
    public var aLabel: String
    public var bLabel: String
    /// The body patterns that were ignored, as written (`**.client_token`…).
    public var ignoredPaths: [String]
    /// Sessions by order of creation, then the group of calls outside sessions when there is one.
    public var sessions: [SessionDiff]
    public var summary: DiffSummary

    public init(aLabel: String, bLabel: String, ignoredPaths: [String], sessions: [SessionDiff]) {
        self.aLabel = aLabel
        self.bLabel = bLabel
        self.ignoredPaths = ignoredPaths
        self.sessions = sessions
        self.summary = DiffSummary(sessions: sessions)
    }

    /// True when every call lines up in place and nothing but noise differs.
    public var isEqual: Bool { summary.calls == summary.same }
}
