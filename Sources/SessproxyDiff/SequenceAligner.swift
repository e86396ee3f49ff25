/// Lines up two sequences of call keys (`update POST /payments/v1/sessions/{session_id}`) the way a
/// reviewer reads them: a longest common subsequence keeps calls in place, a removed and an inserted
/// call with the same key become one reordered call, the rest are missing (only in A) or added
/// (only in B). Runs per session, which is short; a common prefix and suffix are taken off first and
/// very long remainders fall back to pairing the nth occurrence of each key, so no input is quadratic.
enum SequenceAligner {
    struct Step: Equatable, Sendable {
        var a: Int?
        var b: Int?
        var moved: Bool
    }

    /// Above this many cells (|A| × |B| of the unmatched middle) the occurrence pairing is used.
    static let exactAlignmentLimit = 1_000_000

    /// Steps in reading order: by position in B, each missing A call right after the call it followed.
    static func align(_ a: [String], _ b: [String]) -> [Step] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }

        var kept: [(a: Int, b: Int)] = (0..<prefix).map { ($0, $0) }
        var moved: [(a: Int, b: Int)] = []
        var onlyA: [Int] = []
        var onlyB: [Int] = []

        let aMiddle = Array(a[prefix..<(a.count - suffix)])
        let bMiddle = Array(b[prefix..<(b.count - suffix)])
        if aMiddle.count * bMiddle.count <= exactAlignmentLimit {
            let difference = bMiddle.difference(from: aMiddle).inferringMoves()
            var removed = Set<Int>()
            var inserted = Set<Int>()
            for change in difference {
                switch change {
                case .remove(let offset, _, let associated):
                    removed.insert(offset)
                    if let associated { moved.append((prefix + offset, prefix + associated)) } else { onlyA.append(prefix + offset) }
                case .insert(let offset, _, let associated):
                    inserted.insert(offset)
                    if associated == nil { onlyB.append(prefix + offset) }
                }
            }
            let keptA = aMiddle.indices.filter { !removed.contains($0) }
            let keptB = bMiddle.indices.filter { !inserted.contains($0) }
            for (left, right) in zip(keptA, keptB) { kept.append((prefix + left, prefix + right)) }
        } else {
            var queues: [String: [Int]] = [:]
            for (offset, key) in aMiddle.enumerated() { queues[key, default: []].append(prefix + offset) }
            var cursor: [String: Int] = [:]
            for (offset, key) in bMiddle.enumerated() {
                let next = cursor[key, default: 0]
                if let queue = queues[key], next < queue.count {
                    kept.append((queue[next], prefix + offset))
                    cursor[key] = next + 1
                } else {
                    onlyB.append(prefix + offset)
                }
            }
            for (key, queue) in queues { onlyA.append(contentsOf: queue[cursor[key, default: 0]...]) }
            onlyA.sort()
        }
        for offset in 0..<suffix { kept.append((a.count - suffix + offset, b.count - suffix + offset)) }

        return order(kept: kept, moved: moved, onlyA: onlyA, onlyB: onlyB)
    }

    private static func order(kept: [(a: Int, b: Int)], moved: [(a: Int, b: Int)], onlyA: [Int], onlyB: [Int]) -> [Step] {
        struct Keyed { var key: (Int, Int, Int); var step: Step }
        var keyed: [Keyed] = []
        keyed.reserveCapacity(kept.count + moved.count + onlyA.count + onlyB.count)
        for pair in kept { keyed.append(Keyed(key: (pair.b, 0, 0), step: Step(a: pair.a, b: pair.b, moved: false))) }
        for pair in moved { keyed.append(Keyed(key: (pair.b, 0, 0), step: Step(a: pair.a, b: pair.b, moved: true))) }
        for index in onlyB { keyed.append(Keyed(key: (index, 0, 0), step: Step(a: nil, b: index, moved: false))) }
        if !onlyA.isEmpty {
            let keptByA = kept.sorted { $0.a < $1.a }
            var cursor = 0
            var anchor = -1
            for index in onlyA.sorted() {
                while cursor < keptByA.count, keptByA[cursor].a < index {
                    anchor = keptByA[cursor].b
                    cursor += 1
                }
                keyed.append(Keyed(key: (anchor, 1, index), step: Step(a: index, b: nil, moved: false)))
            }
        }
        return keyed.sorted { $0.key < $1.key }.map(\.step)
    }
}
