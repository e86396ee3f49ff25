import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyInspector
import SessproxyProxy
import SessproxyStore

/// `sessproxy inspect`: the inspector for one or two cassettes at rest, on a server that
/// proxies nothing (any other request is answered 404 `SESSPROXY_NOT_PROXYING`) and answers
/// health like every serving mode.
public struct InspectStack: Sendable {
    public let inspector: Inspector
    public let port = ListeningPort()
    public let services: [any Service]

    public init(
        cassette: Cassette, other: Cassette?, labels: (String, String)? = nil, proxy: ProxyConfiguration, uiToken: String, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        inspector = Inspector.inspecting(cassette, other, labels: labels, token: uiToken, listen: proxy.listen)
        let port = self.port
        let server = SessproxyServer.make(
            configuration: proxy, handler: NotProxyingHandler(cassettes: inspector.sourceNames),
            inspector: inspector, additionalHealth: { [inspector] in inspector.healthMembers }, metrics: ProxyMetrics(), logger: logger
        ) { bound in
            await port.callback(bound)
            await onListening(bound)
        }
        // Told last, after the server stopped reading them: closed, a cassette nobody else holds
        // is folded back and left without its `-wal` and `-shm`.
        let closing = ClosingAtShutdown {
            cassette.close()
            other?.close()
        }
        services = [closing, server, InspectorLifetime(inspector: inspector)]
    }
}
