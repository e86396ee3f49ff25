import ServiceLifecycle

/// Runs `close` once graceful shutdown begins: for what a run holds open besides its server (a
/// fleet store's connection). Listed first among services, so that it is told last, after the
/// server stopped using it.
struct ClosingAtShutdown: Service {
    let close: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
