/// A schema's `pattern`, parsed once into a small regular-expression tree that serves both
/// directions: checking a value (fake Klarna's validation, the renderer's final check) and
/// making a value that fits (a redacted `country` becomes two letters). It covers what OpenAPI
/// documents use for field formats — anchors, literals, `.`, classes with ranges, `\d \w \s`,
/// groups, alternation and the `* + ? {m} {m,n}` quantifiers; a pattern outside that is kept
/// as text and treated as satisfied (`isUnderstood` is false).
public struct SchemaPattern: Sendable, CustomStringConvertible {
    public let description: String
    private let tree: Node?
    private let anchoredStart: Bool
    private let anchoredEnd: Bool

    public var isUnderstood: Bool { tree != nil }

    indirect enum Node: Sendable {
        case literal(Character)
        case any
        case set([ClosedRange<Character>], negated: Bool)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)
    }

    public init(_ text: String) {
        description = text
        var characters = Array(text)
        var start = false
        var end = false
        if characters.first == "^" {
            start = true
            characters.removeFirst()
        }
        if characters.last == "$", characters.count < 2 || characters[characters.count - 2] != "\\" {
            end = true
            characters.removeLast()
        }
        anchoredStart = start
        anchoredEnd = end
        var parser = Parser(characters: characters)
        if let node = parser.parseAlternation(), parser.position == characters.count {
            tree = node
        } else {
            tree = nil
        }
    }

    /// Whether `value` satisfies the pattern (ECMA semantics: anywhere unless anchored).
    public func matches(_ value: String) -> Bool {
        guard let tree else { return true }
        let characters = Array(value)
        let starts = anchoredStart ? 0...0 : 0...characters.count
        let budget = Budget()
        for start in starts where Self.match(tree, characters, start, budget, { end in !anchoredEnd || end == characters.count }) {
            return true
        }
        return false
    }

    /// A value that satisfies the pattern, chosen by `entropy` (deterministic for equal seeds);
    /// nil when the pattern is not understood.
    public func sample(using entropy: inout StandInEntropy) -> String? {
        guard let tree else { return nil }
        var out = ""
        Self.sample(tree, into: &out, entropy: &entropy)
        return matches(out) ? out : nil
    }

    // MARK: Matching (backtracking with continuations, bounded)

    /// Steps one check may take, so a pathological pattern cannot hang a request.
    private final class Budget {
        var remaining = 100_000
    }

    private static func match(
        _ node: Node, _ text: [Character], _ position: Int, _ budget: Budget, _ next: (Int) -> Bool
    ) -> Bool {
        budget.remaining -= 1
        if budget.remaining < 0 { return false }
        switch node {
        case .literal(let character):
            return position < text.count && text[position] == character && next(position + 1)
        case .any:
            return position < text.count && text[position] != "\n" && next(position + 1)
        case .set(let ranges, let negated):
            guard position < text.count else { return false }
            let inside = ranges.contains { $0.contains(text[position]) }
            return inside != negated && next(position + 1)
        case .sequence(let nodes):
            return matchSequence(nodes[...], text, position, budget, next)
        case .alternation(let branches):
            for branch in branches where match(branch, text, position, budget, next) { return true }
            return false
        case .repeated(let inner, let minimum, let maximum):
            return matchRepeat(inner, minimum, maximum, 0, text, position, budget, next)
        }
    }

    private static func matchSequence(
        _ nodes: ArraySlice<Node>, _ text: [Character], _ position: Int, _ budget: Budget, _ next: (Int) -> Bool
    ) -> Bool {
        guard let first = nodes.first else { return next(position) }
        let rest = nodes.dropFirst()
        return match(first, text, position, budget) { after in matchSequence(rest, text, after, budget, next) }
    }

    private static func matchRepeat(
        _ inner: Node, _ minimum: Int, _ maximum: Int?, _ count: Int, _ text: [Character], _ position: Int, _ budget: Budget,
        _ next: (Int) -> Bool
    ) -> Bool {
        if let maximum, count >= maximum { return count >= minimum && next(position) }
        // Greedy: one more repetition first, then stop if enough.
        let more = match(inner, text, position, budget) { after in
            after > position && matchRepeat(inner, minimum, maximum, count + 1, text, after, budget, next)
        }
        if more { return true }
        return count >= minimum && next(position)
    }

    // MARK: Sampling

    private static func sample(_ node: Node, into out: inout String, entropy: inout StandInEntropy) {
        switch node {
        case .literal(let character):
            out.append(character)
        case .any:
            out.append(Character(UnicodeScalar(UInt8(ascii: "a") + UInt8(entropy.next(below: 26)))))
        case .set(let ranges, let negated):
            if negated {
                // Letters are the safe choice outside a negated class of non-letters.
                for candidate in "xqzkjv" where !ranges.contains(where: { $0.contains(candidate) }) {
                    out.append(candidate)
                    return
                }
                out.append("0")
                return
            }
            let scalarRanges = ranges.compactMap { range -> ClosedRange<UInt32>? in
                guard let low = range.lowerBound.unicodeScalars.first?.value, let high = range.upperBound.unicodeScalars.first?.value
                else { return nil }
                return low...high
            }
            let total = scalarRanges.reduce(0) { $0 + Int($1.upperBound - $1.lowerBound) + 1 }
            guard total > 0 else { return }
            var pick = entropy.next(below: total)
            for range in scalarRanges {
                let size = Int(range.upperBound - range.lowerBound) + 1
                if pick < size, let scalar = UnicodeScalar(range.lowerBound + UInt32(pick)) {
                    out.append(Character(scalar))
                    return
                }
                pick -= size
            }
        case .sequence(let nodes):
            for child in nodes { sample(child, into: &out, entropy: &entropy) }
        case .alternation(let branches):
            sample(branches[entropy.next(below: branches.count)], into: &out, entropy: &entropy)
        case .repeated(let inner, let minimum, let maximum):
            let upper = min(maximum ?? minimum + 1, minimum + 8)
            let count = minimum + entropy.next(below: upper - minimum + 1)
            for _ in 0..<count { sample(inner, into: &out, entropy: &entropy) }
        }
    }

    // MARK: Parsing

    private struct Parser {
        let characters: [Character]
        var position = 0

        init(characters: [Character]) {
            self.characters = characters
        }

        mutating func parseAlternation() -> Node? {
            var branches: [Node] = []
            guard let first = parseSequence() else { return nil }
            branches.append(first)
            while position < characters.count, characters[position] == "|" {
                position += 1
                guard let branch = parseSequence() else { return nil }
                branches.append(branch)
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() -> Node? {
            var nodes: [Node] = []
            while position < characters.count, characters[position] != "|", characters[position] != ")" {
                guard let atom = parseAtom() else { return nil }
                guard let quantified = parseQuantifier(on: atom) else { return nil }
                nodes.append(quantified)
            }
            return nodes.count == 1 ? nodes[0] : .sequence(nodes)
        }

        mutating func parseAtom() -> Node? {
            let character = characters[position]
            position += 1
            switch character {
            case "(":
                if position + 1 < characters.count, characters[position] == "?" {
                    guard characters[position + 1] == ":" else { return nil }
                    position += 2
                }
                guard let inner = parseAlternation(), position < characters.count, characters[position] == ")" else { return nil }
                position += 1
                return inner
            case "[":
                return parseSet()
            case ".":
                return .any
            case "\\":
                return parseEscape().map { ranges in .set(ranges.ranges, negated: ranges.negated) }
            case "*", "+", "?", "{", "^", "$", ")":
                return nil
            default:
                return .literal(character)
            }
        }

        mutating func parseEscape() -> (ranges: [ClosedRange<Character>], negated: Bool)? {
            guard position < characters.count else { return nil }
            let character = characters[position]
            position += 1
            switch character {
            case "d": return (["0"..."9"], false)
            case "D": return (["0"..."9"], true)
            case "w": return (["a"..."z", "A"..."Z", "0"..."9", "_"..."_"], false)
            case "W": return (["a"..."z", "A"..."Z", "0"..."9", "_"..."_"], true)
            case "s": return ([" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r"], false)
            case "S": return ([" "..." ", "\t"..."\t", "\n"..."\n", "\r"..."\r"], true)
            default:
                if character.isLetter || character.isNumber { return nil }
                return ([character...character], false)
            }
        }

        mutating func parseSet() -> Node? {
            var negated = false
            if position < characters.count, characters[position] == "^" {
                negated = true
                position += 1
            }
            var ranges: [ClosedRange<Character>] = []
            var first = true
            while position < characters.count, characters[position] != "]" || first {
                first = false
                var low = characters[position]
                position += 1
                if low == "\\" {
                    guard let escaped = parseEscape(), !escaped.negated else { return nil }
                    if escaped.ranges.count != 1 || escaped.ranges[0].lowerBound != escaped.ranges[0].upperBound {
                        ranges += escaped.ranges
                        continue
                    }
                    low = escaped.ranges[0].lowerBound
                }
                if position + 1 < characters.count, characters[position] == "-", characters[position + 1] != "]" {
                    let high = characters[position + 1]
                    position += 2
                    guard low <= high, high != "\\" else { return nil }
                    ranges.append(low...high)
                } else {
                    ranges.append(low...low)
                }
            }
            guard position < characters.count else { return nil }
            position += 1
            return .set(ranges, negated: negated)
        }

        mutating func parseQuantifier(on atom: Node) -> Node? {
            guard position < characters.count else { return atom }
            switch characters[position] {
            case "*":
                position += 1
                return .repeated(atom, min: 0, max: nil)
            case "+":
                position += 1
                return .repeated(atom, min: 1, max: nil)
            case "?":
                position += 1
                return .repeated(atom, min: 0, max: 1)
            case "{":
                guard let close = characters[position...].firstIndex(of: "}") else { return nil }
                let body = String(characters[(position + 1)..<close])
                let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                guard let low = Int(parts[0]) else { return nil }
                var high: Int? = low
                if parts.count == 2 { high = parts[1].isEmpty ? nil : Int(parts[1]) }
                guard parts.count <= 2, high.map({ $0 >= low }) ?? true else { return nil }
                if parts.count == 2, !parts[1].isEmpty, high == nil { return nil }
                position = close + 1
                return .repeated(atom, min: low, max: high)
            default:
                return atom
            }
        }
    }
}
