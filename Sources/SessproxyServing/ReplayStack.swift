import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyInspector
import SessproxyProxy
import SessproxyStore

/// Replay mode assembled from its parts: a recording's `ReplayEngine`, built from its index (no
/// bodies; they are read by id from the recording's source when a request is answered), an
/// upstream client only when misses are forwarded, and the server. Used by `sessproxy replay`,
/// the demo, and `ReplayServer` for users' tests.
public struct ReplayStack: Sendable {
    public let handler: ReplayHandler
    /// The page at `/__sessproxy/ui/`: the requests this run serves, hits and misses.
    public let inspector: Inspector
    public let upstream: UpstreamClient?
    public let metrics: ProxyMetrics
    public let port = ListeningPort()
    public let services: [any Service]

    /// Replay of a cassette file.
    public init(
        cassette: Cassette,
        proxy: ProxyConfiguration,
        forwardMissesTo upstreamConfiguration: UpstreamConfiguration? = nil,
        options: ReplayEngine.Options = ReplayEngine.Options(),
        uiToken: String = InspectorAccess.randomToken(),
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        try self.init(
            recording: try .cassette(
                cassette, rules: proxy.redactionRules, options: options, logger: logger),
            proxy: proxy, forwardMissesTo: upstreamConfiguration, uiToken: uiToken, logger: logger, onListening: onListening)
    }

    /// Replay of a loaded recording (a cassette's or a fleet store's), whose engine was built
    /// with `proxy`'s redaction rules.
    public init(
        recording: ReplayRecording,
        proxy: ProxyConfiguration,
        forwardMissesTo upstreamConfiguration: UpstreamConfiguration? = nil,
        uiToken: String = InspectorAccess.randomToken(),
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        upstream = try upstreamConfiguration.map { try UpstreamClient(configuration: $0) }
        metrics = ProxyMetrics()
        inspector = Inspector.replaying(recordings: recording.source, cassetteName: proxy.cassettePath, token: uiToken, listen: proxy.listen)
        handler = ReplayHandler(
            engine: recording.engine, source: recording.source, cassetteName: proxy.cassettePath, forwardTo: upstream,
            metrics: metrics, bodyLimit: proxy.bodyLimit, logger: logger, observer: inspector)
        let port = self.port
        let server = SessproxyServer.make(
            configuration: proxy, handler: handler, inspector: inspector, additionalHealth: { [inspector] in inspector.healthMembers },
            forwardingMark: upstream?.mark, metrics: metrics, logger: logger) { bound in
            await port.callback(bound)
            // After the index is loaded and the port is open: start-up does not wait for it.
            OpenAPIDocument.warmUp()
            await onListening(bound)
        }
        services = recording.services + (upstream.map { [$0] } ?? []) + [server, InspectorLifetime(inspector: inspector)]
    }
}
