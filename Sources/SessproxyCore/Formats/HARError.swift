/// Why a file is not a HAR sessproxy can import. One line, fit for stderr.
public struct HARError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "invalid HAR (\(reason))" }
}
