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

    /// Whether `upstream` is, by its address alone, this listener: the same port, on the same
    /// host or on a loopback one while this listens on loopback or every interface. Names other
    /// than `localhost` are not resolved; `ForwardingMark` catches the loops this misses.
    public func isReached(by upstream: UpstreamEndpoint) -> Bool {
        guard upstream.port == port, upstream.scheme == .http else { return false }
        let target = upstream.host.lowercased()
        let own = host.lowercased()
        if target == own { return true }
        func isLoopback(_ name: String) -> Bool { name == "localhost" || name == "::1" || name.hasPrefix("127.") }
        let everyInterface = own == "0.0.0.0" || own == "::"
        return isLoopback(target) && (isLoopback(own) || everyInterface)
    }
}
