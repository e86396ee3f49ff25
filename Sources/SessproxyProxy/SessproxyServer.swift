import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SessproxyCore

/// Builds the listening server for a serving mode. The result is a `Service`: run it in a
/// `ServiceGroup` with the cassette writer and upstream client, and SIGTERM/SIGINT stop
/// accepting, let in-flight exchanges finish, then stop the rest.
public enum SessproxyServer {
    /// - Parameter onListening: called with the bound port once the server accepts connections
    ///   (useful with port 0).
    public static func make(
        configuration: ProxyConfiguration,
        handler: some ExchangeHandler,
        inspector: (any InspectorService)? = nil,
        additionalHealth: @escaping @Sendable () -> [JSONMember] = { [] },
        additionalMetrics: @escaping @Sendable () -> String = { "" },
        forwardingMark: ForwardingMark? = nil,
        metrics: ProxyMetrics,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some Service {
        let responder = ProxyResponder(
            handler: handler, inspector: inspector, additionalHealth: additionalHealth, additionalMetrics: additionalMetrics,
            forwardingMark: forwardingMark, configuration: configuration, metrics: metrics, logger: logger)
        return Application(
            responder: responder,
            server: HTTPServerBuilder { responder in connectionChannel(responder: responder, bodyLimit: configuration.bodyLimit) },
            configuration: .init(
                address: .hostname(configuration.listen.host, port: configuration.listen.port),
                serverName: nil,
                // A restart on the same port must not wait out the TIME_WAIT of connections this
                // server closed (`Connection: close` answers, idle connections closed at shutdown).
                // Linux still refuses the port while another socket listens on it.
                reuseAddress: true
            ),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.listen.port
                inspector?.listening(on: port)
                await onListening(port)
            },
            logger: logger
        )
    }

    /// What each accepted connection is set up as: Hummingbird's HTTP/1 channel with sessproxy's
    /// own handlers behind its decoder, handled on the connection's event loop.
    static func connectionChannel(
        responder: @escaping HTTPChannelHandler.Responder, bodyLimit: Int
    ) -> EventLoopPinnedChannel<HTTP1Channel> {
        EventLoopPinnedChannel(
            wrapped: HTTP1Channel(
                responder: responder,
                configuration: .init(additionalChannelHandlers: [HTTP1HandlerInstaller(bodyLimit: bodyLimit)], idleTimeout: .seconds(75))))
    }
}
