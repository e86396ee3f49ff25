import SessproxyCore
import Testing
@testable import SessproxyProxy

@Suite struct ProxyMetricsTests {
    @Test func countsRequestsByOperationAndStatusAcrossCalls() {
        let metrics = ProxyMetrics()
        metrics.request(operation: .create, status: 200)
        metrics.request(operation: .create, status: 200)
        metrics.request(operation: .create, status: 400)
        metrics.request(operation: .read, status: 200)
        let text = metrics.exposition()
        #expect(text.contains(#"sessproxy_requests_total{operation="create",status="200"} 2"#))
        #expect(text.contains(#"sessproxy_requests_total{operation="create",status="400"} 1"#))
        #expect(text.contains(#"sessproxy_requests_total{operation="read",status="200"} 1"#))
    }

    @Test func eachServerKeepsItsOwnCounts() {
        let first = ProxyMetrics()
        let second = ProxyMetrics()
        first.request(operation: .update, status: 204)
        #expect(first.exposition().contains(#"sessproxy_requests_total{operation="update",status="204"} 1"#))
        #expect(!second.exposition().contains("sessproxy_requests_total{"))
    }
}
