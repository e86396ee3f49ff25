import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyProxy
import SessproxyStore

/// Record mode assembled from its parts: cassette writer, upstream client, server. Used by
/// `sessproxy record`, by the demo, and by tests that record in-process.
public struct RecordingStack: Sendable {
    public let writer: CassetteWriter
    public let checkpointer: CassetteCheckpointer
    public let upstream: UpstreamClient
    public let metrics: ProxyMetrics
    public let handler: RecordingHandler
    public let port = ListeningPort()
    /// In shutdown order last-to-first: the server stops first, the writer drains last.
    public let services: [any Service]

    public init(
        cassette: Cassette,
        upstream configuration: UpstreamConfiguration,
        proxy: ProxyConfiguration,
        redactionKey: [UInt8],
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        writer = CassetteWriter(cassette: cassette, logger: logger)
        checkpointer = CassetteCheckpointer(cassette: cassette, writer: writer, logger: logger)
        upstream = try UpstreamClient(configuration: configuration)
        metrics = ProxyMetrics()
        handler = RecordingHandler(
            upstream: upstream, recorder: writer,
            redactor: Redactor(rules: proxy.redactionRules, pseudonymizer: Pseudonymizer(keyBytes: redactionKey)),
            metrics: metrics, bodyLimit: proxy.bodyLimit, logger: logger)
        let port = self.port
        let server = SessproxyServer.make(configuration: proxy, handler: handler, metrics: metrics, logger: logger) { bound in
            await port.callback(bound)
            OpenAPIDocument.warmUp()
            await onListening(bound)
        }
        services = [writer, checkpointer, upstream, server]
    }
}
