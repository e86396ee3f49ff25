/// The one upstream a proxy forwards to, parsed and checked up front so that a bad
/// `--upstream` is a clear error before anything listens.
public struct UpstreamEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// Path prefix without trailing slash (`""` for the Klarna hosts).
    public var basePath: String

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let input: String
        public let reason: String
        public var description: String { "invalid upstream URL '\(input)': \(reason)" }
    }

    public init(parsing text: String) throws(ParseError) {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            scheme = .https
            rest = text.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            scheme = .http
            rest = text.dropFirst(7)
        } else {
            throw ParseError(input: text, reason: "must start with http:// or https://")
        }
        if rest.contains("?") || rest.contains("#") { throw ParseError(input: text, reason: "must not have a query or fragment") }
        if rest.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            throw ParseError(input: text, reason: "must not contain spaces or control characters")
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        var path = String(rest[slash...])
        while path.hasSuffix("/") { path.removeLast() }
        guard !authority.isEmpty else { throw ParseError(input: text, reason: "missing host") }
        if authority.contains("@") { throw ParseError(input: text, reason: "credentials in the URL are not supported; the app sends its own Authorization") }
        var hostPart = Substring(authority)
        var portValue: Int? = nil
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(input: text, reason: "unbalanced IPv6 brackets") }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let port = Int(after.dropFirst()) else { throw ParseError(input: text, reason: "invalid port") }
                portValue = port
            } else if !after.isEmpty {
                throw ParseError(input: text, reason: "invalid authority")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            guard let port = Int(authority[authority.index(after: colon)...]) else { throw ParseError(input: text, reason: "invalid port") }
            portValue = port
        }
        guard !hostPart.isEmpty else { throw ParseError(input: text, reason: "missing host") }
        // A name (letters, digits, `-`, `.`, `_`), an IPv4 address, or inside brackets an IPv6
        // one (hex digits, `:`, `.`, and `%` before a zone).
        let allowed: (Character) -> Bool = authority.hasPrefix("[")
            ? { $0.isHexDigit || ":.%".contains($0) || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            : { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
        guard hostPart.allSatisfy(allowed) else { throw ParseError(input: text, reason: "invalid host '\(hostPart)'") }
        if let portValue, !(1...65535).contains(portValue) { throw ParseError(input: text, reason: "port out of range") }
        host = String(hostPart)
        port = portValue ?? (scheme == .https ? 443 : 80)
        basePath = path
    }

    /// `https://api.playground.klarna.com` (default ports omitted).
    public var description: String {
        let defaultPort = scheme == .https ? 443 : 80
        let hostText = host.contains(":") ? "[\(host)]" : host
        return "\(scheme.rawValue)://\(hostText)\(port == defaultPort ? "" : ":\(port)")\(basePath)"
    }

    /// Value for the forwarded `Host` header.
    public var hostHeader: String {
        let defaultPort = scheme == .https ? 443 : 80
        let hostText = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? hostText : "\(hostText):\(port)"
    }
}
