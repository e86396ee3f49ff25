/// Where a page of the inspector's list starts. Going forward from an id (the oldest rows when
/// there is none) catches up with what came later; going back from an id (the newest rows when
/// there is none) is how the page opens and reaches older traffic, so that a long recording
/// shows its latest exchanges first. Either way a page's rows come in id order.
public enum PageAnchor: Sendable, Hashable {
    case after(Int64?)
    case before(Int64?)

    /// From the API's `after` (an id) or `before` (an id, or `end` for the newest rows); neither
    /// is the oldest page, as before paging back existed.
    public init(query: [String: String]) throws(InvalidQuery) {
        switch (try InvalidQuery.id(query.parameter("after"), name: "after"), query.parameter("before")) {
        case (.some, .some):
            throw InvalidQuery(message: "give after or before, not both")
        case (let after, nil):
            self = .after(after)
        case (nil, "end"):
            self = .before(nil)
        case (nil, let before):
            self = .before(try InvalidQuery.id(before, name: "before (an id, or end)"))
        }
    }

    public var isBackward: Bool {
        if case .before = self { return true }
        return false
    }

    /// The ids a page may hold lie strictly between these (nil: no bound on that side).
    public var exclusiveBounds: (above: Int64?, below: Int64?) {
        switch self {
        case .after(let after): return (after, nil)
        case .before(let before): return (nil, before)
        }
    }

    /// Whether a row's id lies on the anchor's side.
    public func admits(_ id: Int64) -> Bool {
        let (above, below) = exclusiveBounds
        return id > (above ?? .min) && id < (below ?? .max)
    }

    /// The page from ids in ascending order: the first `limit` admitted going forward, the last
    /// `limit` going back, still ascending.
    public func page<Rows: BidirectionalCollection>(of rows: Rows, id: (Rows.Element) -> Int64, limit: Int) -> [Rows.Element] {
        var page: [Rows.Element] = []
        func take(_ row: Rows.Element) -> Bool {
            if admits(id(row)) { page.append(row) }
            return page.count < limit
        }
        guard limit > 0 else { return [] }
        if isBackward {
            for row in rows.reversed() where !take(row) { break }
            return page.reversed()
        }
        for row in rows where !take(row) { break }
        return page
    }
}
