import NIOPosix

/// Blocking work (SQLite reads and writes of a cassette, diffing) for servers and their
/// services: on NIO's blocking-I/O pool, never on an event loop or the cooperative pool.
public enum BlockingWork {
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
