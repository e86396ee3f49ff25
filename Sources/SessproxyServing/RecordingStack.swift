import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyFleet
import SessproxyInspector
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
    /// The page at `/__sessproxy/ui/`, over the cassette being recorded.
    public let inspector: Inspector
    /// Ships committed exchanges to the fleet store, when asked to.
    public let shipper: FleetShipper?
    public let port = ListeningPort()
    /// In shutdown order last-to-first: the server stops first, the writer drains last.
    public let services: [any Service]

    public init(
        cassette: Cassette,
        upstream configuration: UpstreamConfiguration,
        proxy: ProxyConfiguration,
        redactionKey: [UInt8],
        uiToken: String = InspectorAccess.randomToken(),
        fleet: FleetShipping? = nil,
        logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws {
        inspector = Inspector.recording(cassette: cassette, token: uiToken, listen: proxy.listen)
        writer = CassetteWriter(cassette: cassette, observer: inspector, logger: logger)
        checkpointer = CassetteCheckpointer(cassette: cassette, writer: writer, logger: logger)
        upstream = try UpstreamClient(configuration: configuration)
        metrics = ProxyMetrics()
        handler = RecordingHandler(
            upstream: upstream, recorder: writer,
            redactor: Redactor(rules: proxy.redactionRules, pseudonymizer: Pseudonymizer(keyBytes: redactionKey)),
            metrics: metrics, bodyLimit: proxy.bodyLimit, logger: logger, observer: inspector)
        let shipper = fleet.map {
            FleetShipper(
                cassette: cassette, location: $0.location, password: $0.password, recording: $0.recording, sidecar: $0.sidecar, logger: logger)
        }
        self.shipper = shipper
        let port = self.port
        let server = SessproxyServer.make(
            configuration: proxy, handler: handler, inspector: inspector,
            additionalHealth: { [inspector] in inspector.healthMembers + (shipper?.status.healthMembers ?? []) }, additionalMetrics: { shipper?.status.metricsExposition ?? "" },
            forwardingMark: upstream.mark, metrics: metrics, logger: logger
        ) { bound in
            await port.callback(bound)
            OpenAPIDocument.warmUp()
            await onListening(bound)
        }
        // The shipper first: shut down last, after the writer committed everything, it ships that too.
        services = (shipper.map { [$0] } ?? []) + [writer, checkpointer, upstream, server, InspectorLifetime(inspector: inspector)]
    }
}
