/// Where one redaction walk replaced values. Recording keeps the paths (they become an
/// exchange's `redactions`); normalising a live request for replay only needs to know whether
/// anything changed, and spelling out a path per replaced value was a measurable part of it.
struct RedactedPaths {
    /// Whether `paths` is filled, or only `count` kept.
    let keepsPaths: Bool
    private(set) var count = 0
    private(set) var paths: [String] = []

    init(keepsPaths: Bool) {
        self.keepsPaths = keepsPaths
    }

    mutating func add(_ location: [JSONPathComponent]) {
        count += 1
        if keepsPaths { paths.append(location.pathString) }
    }

    /// The replacements of a walk over a document held in a string at `location`
    /// (`attachment.body>customer_account_info[0].email`).
    mutating func add(embedded inner: RedactedPaths, at location: [JSONPathComponent]) {
        count += inner.count
        guard keepsPaths else { return }
        let prefix = location.pathString
        paths.append(contentsOf: inner.paths.map { "\(prefix)>\($0)" })
    }
}
