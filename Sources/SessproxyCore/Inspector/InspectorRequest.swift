/// A request under `/__sessproxy/ui/` or `/__sessproxy/api/`, as the server hands it to the
/// inspector: no body (the inspector is read-only).
public struct InspectorRequest: Sendable {
    public var method: String
    /// Path without the query.
    public var path: String
    /// Query parameters, percent-decoded; the last one wins.
    public var query: [String: String]
    public var host: String?
    public var cookie: String?
    public var authorization: String?
    public var ifNoneMatch: String?

    public init(
        method: String, path: String, query: [String: String], host: String?, cookie: String?, authorization: String?,
        ifNoneMatch: String? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.host = host
        self.cookie = cookie
        self.authorization = authorization
        self.ifNoneMatch = ifNoneMatch
    }

    /// Splits a request target into path and decoded query parameters.
    public static func parse(target: String) -> (path: String, query: [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentEncoding.decode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1]), plusIsSpace: true) : ""
            query[name] = value
        }
        return (String(target[..<mark]), query)
    }
}
