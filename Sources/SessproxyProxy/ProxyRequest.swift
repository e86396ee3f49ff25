import Foundation
import NIOCore
import SessproxyCore

/// A request as a serving mode sees it: body already collected within the limit.
public struct ProxyRequest: Sendable {
    public var method: String
    public var target: String
    /// Client headers minus hop-by-hop ones.
    public var headers: [HeaderField]
    public var body: ByteBuffer
    /// Set when the body exceeded the limit; `body` is then empty.
    public var bodyTooLarge: Bool
    public var receivedAt: ContinuousClock.Instant
    public var receivedAtDate: Date
}
