/// Hands the port a server bound to (port 0 in tests) from its start-up callback to whoever
/// waits for it.
public final class ListeningPort: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Pass this as a server's `onListening`.
    public var callback: @Sendable (Int) async -> Void {
        { [continuation] port in continuation.yield(port) }
    }

    /// Waits until the server listens and returns its port.
    public func wait() async -> Int {
        for await port in stream { return port }
        return 0
    }
}
