import Foundation

/// Who may see the inspector: a request carries the start's token (in the page URL's `token`
/// query parameter, then the HttpOnly cookie the first answer sets, or as a bearer token) and
/// names the listen address in its `Host` — anything else would let a web page the user visits
/// elsewhere read recorded traffic through DNS rebinding. Health and metrics stay open.
public struct InspectorAccess: Sendable {
    public let token: String
    /// `host:port` values a request's `Host` may name.
    public let allowedHosts: Set<String>
    /// Accept any IP-literal host on the listen port (listening on all interfaces).
    let anyAddressPort: Int?

    public static let cookieName = "sessproxy_ui"

    public enum Verdict: Sendable, Equatable {
        /// Go ahead; set this cookie when the token came in the URL.
        case allowed(setCookie: String?)
        case unauthorized
        case wrongHost
    }

    public init(token: String, listen: ListenAddress) {
        self.token = token
        let port = listen.port
        var hosts: Set<String> = ["\(listen.host):\(port)"]
        let loopback = ["127.0.0.1", "localhost", "::1", "[::1]"]
        if loopback.contains(listen.host) {
            hosts.formUnion(["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)"])
        }
        if listen.host.contains(":"), !listen.host.hasPrefix("[") { hosts.insert("[\(listen.host)]:\(port)") }
        self.allowedHosts = hosts
        self.anyAddressPort = ["0.0.0.0", "::", "[::]"].contains(listen.host) ? port : nil
    }

    /// The page's address with its token, as every serving mode prints it at start; a wildcard
    /// listen address is shown as loopback.
    public static func pageURL(listen: ListenAddress, port: Int, token: String) -> String {
        let host: String
        switch listen.host {
        case "0.0.0.0": host = "127.0.0.1"
        case "::", "[::]": host = "::1"
        default: host = listen.host.hasPrefix("[") && listen.host.hasSuffix("]") ? String(listen.host.dropFirst().dropLast()) : listen.host
        }
        return "http://\(ListenAddress(host: host, port: port))/__sessproxy/ui/?token=\(token)"
    }

    /// A fresh random token (128 bits, hex).
    public static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return HexText.string((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    public func check(host: String?, queryToken: String?, cookieHeader: String?, authorization: String?) -> Verdict {
        guard let host, isAllowed(host: host.lowercased()) else { return .wrongHost }
        if let queryToken, Self.equal(queryToken, token) { return .allowed(setCookie: cookie) }
        if let authorization, authorization.hasPrefix("Bearer "), Self.equal(String(authorization.dropFirst(7)), token) {
            return .allowed(setCookie: nil)
        }
        if let cookieHeader, Self.cookieValue(in: cookieHeader).map({ Self.equal($0, token) }) == true { return .allowed(setCookie: nil) }
        return .unauthorized
    }

    /// The `Set-Cookie` value that keeps the page signed in for this start.
    public var cookie: String {
        "\(Self.cookieName)=\(token); Path=/__sessproxy/; HttpOnly; SameSite=Strict"
    }

    private func isAllowed(host: String) -> Bool {
        if allowedHosts.contains(host) { return true }
        guard let port = anyAddressPort, let colon = host.lastIndex(of: ":"), Int(host[host.index(after: colon)...]) == port else { return false }
        let name = host[..<colon]
        return name == "localhost" || name.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" || $0 == "[" || $0 == "]" }
    }

    static func cookieValue(in header: String) -> String? {
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix(cookieName + "=") { return String(pair.dropFirst(cookieName.count + 1)) }
        }
        return nil
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
