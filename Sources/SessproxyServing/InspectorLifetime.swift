import ServiceLifecycle
import SessproxyInspector

/// Ends the inspector's live-feed streams when graceful shutdown begins, before the server
/// waits for its connections to go idle (an open event stream never would). Listed after the
/// server, so that it is told first.
struct InspectorLifetime: Service {
    let inspector: Inspector

    func run() async throws {
        try? await gracefulShutdown()
        inspector.stop()
    }
}
