import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import SessproxyTesting
import Synchronization
import Testing

/// The proxy must not throttle the app: as many requests as the app has in flight reach the
/// upstream at once. With a slow upstream, a cap on upstream connections below the app's own
/// concurrency queues the rest and stretches every answer (64 was such a cap: 128 concurrent
/// requests to a 300 ms upstream took 606 ms each instead of 303).
@Suite(.serialized) struct UpstreamConcurrencyTests {
    typealias Support = ProxyTestSupport

    @Test func everyConcurrentRequestReachesTheUpstreamAtOnce() async throws {
        let concurrent = 96
        let arrived = Atomic<Int>(0)
        let inFlight = Atomic<Int>(0)
        let mostAtOnce = Atomic<Int>(0)
        try await Support.withUpstream({ _ in
            arrived.add(1, ordering: .relaxed)
            mostAtOnce.max(inFlight.add(1, ordering: .relaxed).newValue, ordering: .relaxed)
            defer { inFlight.subtract(1, ordering: .relaxed) }
            // Hold every answer until all requests are here, or give up after a few seconds.
            let deadline = ContinuousClock.now + .seconds(5)
            while arrived.load(ordering: .relaxed) < concurrent, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"session_id":"s","client_token":"t"}"#)))
        }) { upstreamPort in
            try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstreamPort)", timeout: .seconds(20)) { port, stack in
                var configuration = HTTPClient.Configuration()
                configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrent * 2)
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                    for _ in 0..<concurrent {
                        group.addTask {
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/payments/v1/sessions")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: #"{"purchase_country":"SE","order_amount":100}"#))
                            let response = try await client.execute(request, timeout: .seconds(30))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            return response.status.code
                        }
                    }
                    return try await group.reduce(into: [UInt]()) { $0.append($1) }
                }
                try await client.shutdown()
                #expect(statuses.count == concurrent && statuses.allSatisfy { $0 == 200 })
                #expect(mostAtOnce.load(ordering: .relaxed) == concurrent, "the upstream saw at most \(mostAtOnce.load(ordering: .relaxed)) at once")
                #expect(stack.upstream.forwardedCount == concurrent)
            }
        }
    }
}
