import Foundation
import Logging
import Testing

@testable import SessproxyCore
@testable import SessproxyFleet
@testable import SessproxyServing
@testable import SessproxyStore
import SessproxyTesting

/// Replay straight from a fleet recording: the index read without bodies (shipped keys used,
/// missing ones computed), bodies read by number on demand, and the answers the same as replaying
/// the cassette that was shipped.
extension FleetStoreTests {
    @Test func replayFromTheFleetAnswersAsTheShippedCassette() async throws {
        try await PostgresCluster.with { cluster in
            let cassette = try Self.temporaryCassette()
            let fakePort = ListeningPort()
            let fake = try FakeKlarnaServer.make(options: .init(), logger: Self.logger, onListening: fakePort.callback)
            try await ServiceHarness.run([fake], logger: Self.logger) {
                try await ReplayServer.withRecording(
                    upstream: "http://127.0.0.1:\(await fakePort.wait())", cassette: cassette.path, redactionKey: Array(repeating: 7, count: 32),
                    logger: Self.logger
                ) { base in
                    _ = try await MerchantFlow().run(baseURL: base)
                    _ = try await MerchantFlow(updatedQuantity: 4).run(baseURL: base)
                }
            }
            let reopened = try Cassette.open(path: cassette.path)
            _ = try await FleetTransfer.push(
                reopened, to: cluster.location, password: PostgresCluster.password, recording: "thu", sidecar: "s1", logger: Self.logger)
            let location = cluster.location.with(recording: "thu")
            let matcher = ReplayMatcher(rules: .klarna)
            let fileIndex = try reopened.replayIndex(matcher: matcher).entries

            // Shipped keys are used as they are: no body is read to start.
            let store = try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger)
            let index = try await store.replayIndex(recording: "thu", matcher: matcher)
            #expect(index.computedKeys == 0)
            #expect(index.entries.map(\.matchKey) == fileIndex.map(\.matchKey))
            #expect(index.entries.map(\.exchangeID) == Array(1...Int64(fileIndex.count)))
            #expect(index.entries.map(\.sessionID) == fileIndex.map(\.sessionID))
            let recorded = try reopened.allExchanges()
            let source = FleetReplaySource(store: store, recording: "thu", index: index, password: PostgresCluster.password, logger: Self.logger)
            let read = await Self.offThePool { source.exchanges(ids: [2, 5, 9_999]) }
            #expect(read.keys.sorted() == [2, 5], "numbers outside the recording are missing")
            #expect(read[5]?.responseBody == recorded[4].responseBody && read[5]?.id == 5)
            // A batch of hits' answers, in the order asked, nil where there is no such row.
            let answers = await Self.offThePool { source.responses(ids: [5, 9_999, 2]) }
            #expect(answers == [RecordedResponse(of: recorded[4]), nil, RecordedResponse(of: recorded[1])])

            // Served answers equal the file's, step by step.
            let fromFile = try await Self.replayFlows(ReplayRecording.cassette(reopened, rules: .klarna, logger: Self.logger))
            let fleet = try await ReplayRecording.fleet(location, password: PostgresCluster.password, rules: .klarna, logger: Self.logger)
            let fromFleet = try await Self.replayFlows(fleet)
            #expect(fromFleet.map(\.status) == fromFile.map(\.status) && fromFleet.map(\.body) == fromFile.map(\.body))
            #expect(fromFile.count == recorded.count && fromFile.allSatisfy { $0.status != 404 })

            // Rows shipped without keys (an older sidecar): keys are computed from their bodies.
            try await store.connection.query("UPDATE sessproxy_exchange SET match_key = NULL, match_rules = NULL", logger: Self.logger)
            let keyless = try await store.replayIndex(recording: "thu", matcher: matcher)
            #expect(keyless.computedKeys == fileIndex.count)
            #expect(keyless.entries.map(\.matchKey) == fileIndex.map(\.matchKey))
            await store.close()

            // The server restarts under a running replay: the next read connects again.
            let restarting = FleetReplaySource(
                store: try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger),
                recording: "thu", index: index, password: PostgresCluster.password, logger: Self.logger)
            #expect(await Self.offThePool { restarting.exchange(id: 3) }?.id == 3)
            try await cluster.run("stop")
            try await cluster.start()
            #expect(await Self.offThePool { restarting.exchange(id: 4) }?.responseBody == recorded[3].responseBody)
            await restarting.close()
            try await cluster.run("stop")
            try await cluster.start()
            #expect(await Self.offThePool { restarting.exchange(id: 4) } == nil, "a closed source stays closed")

            await #expect(throws: FleetError.self) {
                _ = try await ReplayRecording.fleet(
                    cluster.location.with(recording: "nothing-here"), password: PostgresCluster.password, rules: .klarna, logger: Self.logger)
            }
        }
    }

    /// Two merchant flows replayed through a replay server over `recording`.
    static func replayFlows(_ recording: ReplayRecording) async throws -> [MerchantFlow.Step] {
        let stack = try ReplayStack(
            recording: recording, proxy: .init(listen: .init(host: "127.0.0.1", port: 0), cassettePath: "fleet"), logger: logger)
        return try await ServiceHarness.run(stack.services, logger: logger) {
            let base = "http://127.0.0.1:\(await stack.port.wait())"
            return try await MerchantFlow().run(baseURL: base) + MerchantFlow(updatedQuantity: 4).run(baseURL: base)
        }
    }

    /// Runs a blocking source read off the cooperative pool, as replay does (it uses NIO's blocking-I/O pool).
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }
}
