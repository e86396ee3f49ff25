import NIOCore
import NIOEmbedded
import NIOHTTP1
import SessproxyCore
import SessproxyStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SessproxyProxy

/// The pool seen from the upstream's side.
@Suite(.serialized) struct UpstreamConnectionPoolTests {
    typealias Support = ProxyTestSupport

    /// Each event loop keeps its own idle connections (a request never hops threads to find
    /// one), so sequential requests use at most one connection per loop.
    @Test func keepAliveConnectionsAreReused() async throws {
        let upstream = KeepAliveTCPServer()
        defer { upstream.stop() }
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)") { port, _ in
            for _ in 0..<20 {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(answer.status == 200)
            }
        }
        #expect(upstream.requests == 20)
        #expect(upstream.connections <= min(NIOSingletons.groupLoopCountSuggestion, 19), "\(upstream.connections) connections")
    }

    /// An upstream that closes an idle connection (its keep-alive timeout) costs the app nothing:
    /// the next request goes out on a new connection.
    @Test func anUpstreamClosingIdleConnectionsCostsNothing() async throws {
        let upstream = KeepAliveTCPServer(.closesIdleConnections)
        defer { upstream.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", cassette: cassette) { port, _ in
            for _ in 0..<3 {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(answer.status == 200)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(upstream.requests == 3)
        #expect(upstream.connections == 3)
        #expect(try Cassette.open(path: cassette).allExchanges().map(\.status) == [200, 200, 200])
    }

    /// A request sent on a kept-alive connection has its deadline too, although the pool sets no
    /// timer for it (the connection's handler keeps it): an upstream that hangs on the second
    /// request of a connection costs the app the timeout, not a hang, and the next request gets a
    /// new connection.
    @Test(.timeLimit(.minutes(1))) func aRequestOnAKeptAliveConnectionStillHasItsDeadline() async throws {
        let upstream = KeepAliveTCPServer(.stallsAfterTheFirstAnswer)
        defer { upstream.stop() }
        let rounds = 2 * NIOSingletons.groupLoopCountSuggestion + 2
        let statuses = try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", timeout: .milliseconds(300)) { port, _ in
            var statuses: [Int] = []
            for _ in 0..<rounds {
                let started = ContinuousClock.now
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                statuses.append(answer.status)
                if answer.status == 504 {
                    #expect(answer.json?["error_code"] == .string(SessproxyErrorCode.upstreamTimeout))
                    #expect(ContinuousClock.now - started < .seconds(2))
                }
            }
            return statuses
        }
        #expect(statuses.contains(504), "no connection was reused: \(statuses)")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 504 }, "\(statuses)")
        #expect(statuses.filter { $0 == 200 }.count == upstream.connections, "each connection answers once: \(statuses)")
    }

    /// The upstream closes a kept-alive connection just as the next request arrives on it: a
    /// read of a session is sent again on a new connection and the app sees only the answer
    /// (recorded once); a create is not repeated — the upstream may have acted on it — and the
    /// app gets `SESSPROXY_UPSTREAM_RESET`. More requests than event loops, so that connections
    /// are reused.
    @Test func aReadCaughtInTheKeepAliveRaceIsRepeatedButACreateIsNot() async throws {
        let rounds = 4 * NIOSingletons.groupLoopCountSuggestion + 2
        let reads = KeepAliveTCPServer(.closesAsTheNextRequestArrives)
        defer { reads.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(reads.port)", cassette: cassette) { port, _ in
            for _ in 0..<rounds {
                let answer = try await Support.send("GET", "http://127.0.0.1:\(port)/payments/v1/sessions/keep-alive-1")
                #expect(answer.status == 200)
            }
        }
        #expect(reads.requests > rounds, "no connection was reused")
        #expect(try Cassette.open(path: cassette).allExchanges().map(\.status) == Array(repeating: 200, count: rounds))

        let creates = KeepAliveTCPServer(.closesAsTheNextRequestArrives)
        defer { creates.stop() }
        let statuses = try await Support.withRecorder(upstream: "http://127.0.0.1:\(creates.port)") { port, _ in
            var statuses: [Int] = []
            for _ in 0..<rounds {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                statuses.append(answer.status)
                if answer.status != 200 { #expect(String(decoding: answer.body, as: UTF8.self).contains("SESSPROXY_UPSTREAM_RESET")) }
            }
            return statuses
        }
        #expect(statuses.contains(502), "a create was repeated: \(statuses)")
        #expect(creates.requests == rounds)
    }
}
