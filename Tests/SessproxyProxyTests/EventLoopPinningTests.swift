import Logging
import NIOCore
import NIOPosix
import SessproxyCore
@testable import SessproxyProxy
import SessproxyTesting
import Testing
import SessproxyServing

/// Request handling stays on the event loop of the connection's socket: no hop to Swift's
/// global pool at each `await` (see `EventLoopPinnedChannel`).
@Suite struct EventLoopPinningTests {
    @Test func aTaskPreferringTheExecutorRunsEveryStepOnItsLoop() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let steps = await withTaskExecutorPreference(executor) { () async -> [Bool] in
            var onLoop = [loop.inEventLoop]
            for _ in 0..<5 {
                await Task.yield()
                onLoop.append(loop.inEventLoop)
                // A future completed elsewhere resumes the task on its loop again.
                let value = try? await MultiThreadedEventLoopGroup.singleton.next().submit { 1 }.get()
                onLoop.append(loop.inEventLoop && value == 1)
            }
            return onLoop
        }
        #expect(steps.count == 11)
        #expect(steps.allSatisfy { $0 }, "steps off the loop: \(steps)")
    }

    /// What a serving mode sees: it is called on its connection's event loop, where the upstream
    /// client's calls start (a recorder's commit runs on the cassette writer's own thread).
    struct LoopReportingHandler: ExchangeHandler {
        let mode = "loop-report"
        func handle(_ request: ProxyRequest) async -> ProxyResponse {
            await Task.yield()
            let onLoop = MultiThreadedEventLoopGroup.currentEventLoop != nil
            return ProxyResponse(
                status: 200, headers: [HeaderField(name: "Content-Type", value: "application/json")],
                body: ByteBuffer(string: #"{"on_event_loop":\#(onLoop)}"#), operation: .other)
        }
        func healthMembers() -> [JSONMember] { [] }
    }

    @Test func servingModesRunOnTheConnectionsEventLoop() async throws {
        let port = ListeningPort()
        let server = SessproxyServer.make(
            configuration: .init(listen: .init(host: "127.0.0.1", port: 0), cassettePath: "-"), handler: LoopReportingHandler(),
            metrics: ProxyMetrics(), logger: ProxyTestSupport.logger, onListening: port.callback)
        try await ServiceHarness.run([server], logger: ProxyTestSupport.logger) {
            let base = "http://127.0.0.1:\(await port.wait())"
            for _ in 0..<3 {
                let reply = try await ProxyTestSupport.send("POST", "\(base)/payments/v1/sessions", body: "{}")
                #expect(reply.json?["on_event_loop"] == true)
            }
        }
    }
}
