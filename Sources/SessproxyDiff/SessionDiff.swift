/// The calls of the nth session of A lined up with those of the nth session of B, or the group of
/// calls that belong to no session.
public struct SessionDiff: Sendable, Equatable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case same
        case changed
        /// Only B has a session at this position.
        case added
        /// Only A has a session at this position.
        case missing
    }

    /// 1-based position by order of creation; nil for the group of calls outside any session.
    public var index: Int?
    /// Session ids are labels for finding the session in each cassette, never findings themselves.
    public var aSessionID: String?
    public var bSessionID: String?
    public var status: Status
    public var calls: [CallDiff]

    public init(index: Int?, aSessionID: String?, bSessionID: String?, status: Status, calls: [CallDiff]) {
        self.index = index
        self.aSessionID = aSessionID
        self.bSessionID = bSessionID
        self.status = status
        self.calls = calls
    }

    /// Whether this entry is the group of calls outside any session (operation `other`).
    public var isUnscoped: Bool { index == nil }
}
