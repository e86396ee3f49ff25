import NIOPosix

/// Blocking work (SQLite reads and writes of a cassette) for the fleet shipper and transfers: on
/// NIO's blocking-I/O pool, never on an event loop or the cooperative pool.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
