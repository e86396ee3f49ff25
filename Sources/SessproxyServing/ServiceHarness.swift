import Logging
import ServiceLifecycle

/// Runs services for the duration of a closure, then shuts them down gracefully: the way
/// tests (and the demo) start a fake Klarna or a proxy on a free port and stop it afterwards.
public enum ServiceHarness {
    public static func run<T: Sendable>(
        _ services: [any Service],
        logger: Logger = Logger(label: "sessproxy.harness"),
        body: @Sendable () async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }
}
