import Metrics
import Prometheus
import SessproxyCore
import Synchronization

/// The proxy's Prometheus metrics, kept in a registry of its own (not the process-global
/// metrics system) so that several servers in one process, as in tests and the demo, keep
/// separate counts.
public final class ProxyMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let upstreamLatency: Metrics.Timer
    private let recorded: Metrics.Counter
    private let redactions: Metrics.Counter
    private let replayHits: Metrics.Counter
    private let replayMisses: Metrics.Counter
    /// `sessproxy_requests_total` by operation and status, made once each: making a counter
    /// looks it up in the registry under its lock and spells its labels, at every request.
    private let requestCounters = Mutex<[RequestLabels: Metrics.Counter]>([:])

    private struct RequestLabels: Hashable {
        let operation: KlarnaOperation
        let status: Int
    }

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
            .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
        upstreamLatency = Metrics.Timer(label: "sessproxy_upstream_duration_seconds", preferredDisplayUnit: .seconds, factory: factory)
        recorded = Metrics.Counter(label: "sessproxy_exchanges_recorded_total", factory: factory)
        redactions = Metrics.Counter(label: "sessproxy_redactions_total", factory: factory)
        replayHits = Metrics.Counter(label: "sessproxy_replay_hits_total", factory: factory)
        replayMisses = Metrics.Counter(label: "sessproxy_replay_misses_total", factory: factory)
    }

    func request(operation: KlarnaOperation, status: Int) {
        let labels = RequestLabels(operation: operation, status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[labels] { return counter }
            let counter = Metrics.Counter(
                label: "sessproxy_requests_total",
                dimensions: [("operation", operation.rawValue), ("status", String(status))],
                factory: factory)
            counters[labels] = counter
            return counter
        }
        counter.increment()
    }

    func upstream(duration: Duration) {
        upstreamLatency.recordNanoseconds(duration.nanoseconds)
    }

    func exchangeRecorded(redactionCount: Int) {
        recorded.increment()
        if redactionCount > 0 { redactions.increment(by: redactionCount) }
    }

    func replay(hit: Bool) {
        (hit ? replayHits : replayMisses).increment()
    }

    /// Prometheus text exposition format.
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var microseconds: Int64 { nanoseconds / 1000 }
}
