/// The outcome of offering a live request to the `ReplayEngine`.
public enum ReplayDecision: Sendable, Hashable {
    case hit(ReplayAnswer)
    case miss(ReplayMissReport)

    public var answer: ReplayAnswer? {
        if case .hit(let answer) = self { return answer }
        return nil
    }

    public var missReport: ReplayMissReport? {
        if case .miss(let report) = self { return report }
        return nil
    }
}
