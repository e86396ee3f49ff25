/// The `Via` entry (RFC 9110 §7.6.3) a serving stack adds to every request it forwards, naming
/// that stack (one listener and its upstream client; a test process may run several, one in front
/// of another). A request that arrives carrying it has come back to the stack that sent it: an
/// `--upstream` pointing at sessproxy's own listen address, or at a proxy that forwards back to
/// it. Answered at once instead of forwarded again, one request cannot turn into an endless
/// stream of exchanges filling the cassette.
public struct ForwardingMark: Sendable, Equatable {
    /// `sessproxy-` and a random number drawn for the stack.
    public let token: String

    /// The header the loop's answer carries, naming the mark, so that the stack whose request
    /// came back knows the answer for its own and not an upstream's.
    public static let answerHeaderName = "Sessproxy-Forwarding-Loop"

    public static func random() -> ForwardingMark {
        ForwardingMark(token: "sessproxy-" + String(UInt64.random(in: .min ... .max), radix: 16))
    }

    public init(token: String) {
        self.token = token
    }

    /// The value of the `Via` header sessproxy adds.
    public var viaValue: String { "1.1 " + token }

    /// Whether any `Via` entry of `headers` is this mark (received-by compared exactly, any
    /// protocol, comments ignored).
    public func isCarried(by headers: [HeaderField]) -> Bool {
        for field in headers where field.name.count == 3 && field.name.lowercased() == "via" {
            for entry in field.value.split(separator: ",") {
                let parts = entry.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if parts.count >= 2, parts[1] == token { return true }
            }
        }
        return false
    }
}
