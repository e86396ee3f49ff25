import Crypto
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

    /// `sessproxy_ui_` and 12 hex digits of the token's SHA-256: a name per start. Browsers
    /// keep cookies per host, not per port, so with one name for all, opening a second
    /// inspector (another port, another run) signed the first out.
    public let cookieName: String

    public enum Verdict: Sendable, Equatable {
        /// Go ahead; set this cookie when the token came in the URL.
        case allowed(setCookie: String?)
        case unauthorized
        case wrongHost
    }

    public init(token: String, listen: ListenAddress) {
        self.token = token
        self.cookieName = "sessproxy_ui_" + HexText.string(Array(SHA256.hash(data: Array(("sessproxy inspector cookie " + token).utf8)).prefix(6)))
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
        if let cookieHeader, Self.cookieValues(named: cookieName, in: cookieHeader).contains(where: { Self.equal($0, token) }) {
            return .allowed(setCookie: nil)
        }
        return .unauthorized
    }

    /// The `Set-Cookie` value that keeps the page signed in for this start.
    public var cookie: String {
        "\(cookieName)=\(token); Path=/__sessproxy/; HttpOnly; SameSite=Strict"
    }

    private func isAllowed(host: String) -> Bool {
        if allowedHosts.contains(host) { return true }
        guard let port = anyAddressPort, let colon = host.lastIndex(of: ":"), Int(host[host.index(after: colon)...]) == port else { return false }
        let name = host[..<colon]
        if name == "localhost" || Self.isIPv4Address(name) { return true }
        // A bracketed IPv6 address; names made of hex digits (`deadbeef.cafe`) are names.
        guard name.hasPrefix("["), name.hasSuffix("]") else { return false }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(name.dropFirst().dropLast()), &address) == 1
    }

    /// Four decimal numbers up to 255, as a `Host` names an IPv4 address.
    static func isIPv4Address(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) && Int(part).map { $0 <= 255 } == true
        }
    }

    /// Every value a `Cookie` header gives `name` (a browser may send several).
    static func cookieValues(named name: String, in header: String) -> [String] {
        header.split(separator: ";").compactMap { part in
            let pair = part.trimmingCharacters(in: .whitespaces)
            return pair.hasPrefix(name + "=") ? String(pair.dropFirst(name.count + 1)) : nil
        }
    }

    /// Compares without stopping at the first difference.
    static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
