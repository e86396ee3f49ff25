/// A `HOST:PORT` listen address.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let input: String
        public var description: String { "invalid listen address '\(input)': expected HOST:PORT, e.g. 127.0.0.1:8080" }
    }

    public init(parsing text: String) throws(ParseError) {
        guard let colon = text.lastIndex(of: ":") else { throw ParseError(input: text) }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        // An IPv6 address goes in brackets, and brackets hold nothing else.
        guard !host.contains("["), !host.contains("]"), !host.contains(" ") else { throw ParseError(input: text) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ParseError(input: text)
        }
        self.host = host
        self.port = port
    }

    /// `HOST:PORT` as a URL spells it: an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The same host on the port actually bound (`--listen …:0` binds one the kernel picks).
    public func bound(to port: Int) -> ListenAddress {
        ListenAddress(host: host, port: port)
    }

    public static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    /// Whether `upstream` is, by its address alone, surely this listener: the same port, and the
    /// same host, `localhost` for a loopback address, or an address of the family this listens on
    /// in full (`0.0.0.0`: any IPv4 loopback one; `::`: `::1`). On Linux `127.0.0.1`, `127.0.0.2`
    /// and `::1` are separate sockets, so those are not confused; names other than `localhost`
    /// are not resolved. `ForwardingMark` catches at run time the loops this does not.
    public func isReached(by upstream: UpstreamEndpoint) -> Bool {
        guard upstream.port == port, upstream.scheme == .http else { return false }
        let target = upstream.host.lowercased()
        let own = host.lowercased()
        if target == own { return true }
        let loopback: Set<String> = ["127.0.0.1", "::1"]
        if (target == "localhost" && loopback.contains(own)) || (own == "localhost" && loopback.contains(target)) { return true }
        if own == "0.0.0.0" { return target == "localhost" || target.hasPrefix("127.") }
        if own == "::" { return target == "localhost" || target == "::1" }
        return false
    }
}
