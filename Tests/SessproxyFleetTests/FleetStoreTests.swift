import Foundation
import Logging
import Testing

@testable import SessproxyCore
@testable import SessproxyFleet
@testable import SessproxyServing
@testable import SessproxyStore
import SessproxyTesting

/// The fleet store against a real PostgreSQL server: push twice, pull back equal, sidecar ids
/// kept apart, wrong credentials named, and shipping while recording through an outage.
@Suite(.serialized) struct FleetStoreTests {
    static let logger: Logger = {
        var logger = Logger(label: "fleet-tests")
        logger.logLevel = .critical
        return logger
    }()

    static func temporaryCassette() throws -> Cassette {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try Cassette.openOrCreate(path: directory.appendingPathComponent("c.sqlite").path)
    }

    static func exchanges(_ count: Int, session: String = "A") -> [RecordedExchange] {
        (0..<count).map { index in
            RecordedExchange(
                startedAt: Date(timeIntervalSince1970: 1_764_000_000.123 + Double(index)), durationMicros: 1200, method: "GET",
                target: "/payments/v1/sessions/\(session)", operation: .read, sessionID: session, upstream: "https://api.playground.klarna.com",
                requestHeaders: [HeaderField(name: "Authorization", value: "Basic redacted:aaaaaaaaaaaaaaaa")], requestBody: [],
                status: 200, responseHeaders: [HeaderField(name: "Content-Type", value: "application/json")],
                responseBody: Array(#"{"status":"incomplete","order_amount":\#(100 + index),"z":1,"a":2}"#.utf8))
        }
    }

    @Test func pushTwiceAddsNothingAndPullGivesTheSameExchanges() async throws {
        try await PostgresCluster.with { cluster in
            let cassette = try Self.temporaryCassette()
            _ = try await cassette.insert(Self.exchanges(1_200))
            let first = try await FleetTransfer.push(
                cassette, to: cluster.location, password: PostgresCluster.password, recording: "mon", sidecar: "s1", logger: Self.logger)
            #expect(first.read == 1_200 && first.added == 1_200)
            let second = try await FleetTransfer.push(
                cassette, to: cluster.location, password: PostgresCluster.password, recording: "mon", sidecar: "s1", logger: Self.logger)
            #expect(second.read == 1_200 && second.added == 0)
            let store = try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger)
            var compression: [String] = []
            for try await method in try await store.connection.query(
                "SELECT attcompression::text FROM pg_attribute WHERE attrelid = 'sessproxy_exchange'::regclass AND attname LIKE '%_body'",
                logger: Self.logger
            ).decode(String.self) {
                compression.append(method)
            }
            await store.close()
            #expect(compression == ["l", "l"], "bodies are compressed with lz4")

            let pulled = try Self.temporaryCassette().path + ".pulled"
            let count = try await FleetTransfer.pull(
                cluster.location.with(recording: "mon"), password: PostgresCluster.password, into: pulled, logger: Self.logger)
            #expect(count == 1_200)
            let original = try cassette.allExchanges()
            let copy = try Cassette.open(path: pulled).allExchanges()
            #expect(copy.map(\.responseBody) == original.map(\.responseBody), "bodies byte for byte, keys in their order")
            #expect(copy.map { Timestamp.format($0.startedAt) } == original.map { Timestamp.format($0.startedAt) })
            #expect(copy.map(\.requestHeaders) == original.map(\.requestHeaders))
        }
    }

    @Test func aSidecarIdShipsFromOneCassetteOnly() async throws {
        try await PostgresCluster.with { cluster in
            let one = try Self.temporaryCassette()
            let other = try Self.temporaryCassette()
            _ = try await one.insert(Self.exchanges(3))
            _ = try await other.insert(Self.exchanges(3))
            _ = try await FleetTransfer.push(one, to: cluster.location, password: PostgresCluster.password, recording: "r", sidecar: "s1", logger: Self.logger)
            await #expect(throws: FleetError.self) {
                _ = try await FleetTransfer.push(
                    other, to: cluster.location, password: PostgresCluster.password, recording: "r", sidecar: "s1", logger: Self.logger)
            }
            let apart = try await FleetTransfer.push(
                other, to: cluster.location, password: PostgresCluster.password, recording: "r", sidecar: "s2", logger: Self.logger)
            #expect(apart.added == 3)
            // The same cassette under a second id would put every exchange in the recording twice.
            do {
                _ = try await FleetTransfer.push(
                    one, to: cluster.location, password: PostgresCluster.password, recording: "r", sidecar: "s3", logger: Self.logger)
                Issue.record("a cassette shipped as s1 was pushed again as s3")
            } catch {
                #expect(String(describing: error).contains("already ships to recording 'r' as sidecar 's1'"), "\(error)")
            }
            // Under its own id it adds what is new, and only that.
            _ = try await one.insert(Self.exchanges(2))
            let again = try await FleetTransfer.push(
                one, to: cluster.location, password: PostgresCluster.password, recording: "r", sidecar: "s1", logger: Self.logger)
            #expect(again.added == 2)
            // Another recording is another matter.
            let elsewhere = try await FleetTransfer.push(
                one, to: cluster.location, password: PostgresCluster.password, recording: "r2", sidecar: "s3", logger: Self.logger)
            #expect(elsewhere.added == 5)
        }
    }

    @Test func wrongCredentialsAndUnknownDatabasesAreNamed() async throws {
        try await PostgresCluster.with { cluster in
            do {
                _ = try await FleetStore.open(cluster.location, password: "wrong", logger: Self.logger)
                Issue.record("a wrong password connected")
            } catch let error as FleetError {
                guard case .authentication = error else { Issue.record("wrong password gave \(error)"); return }
            }
            var unknown = cluster.location
            unknown.database = "nowhere"
            do {
                _ = try await FleetStore.open(unknown, password: PostgresCluster.password, logger: Self.logger)
                Issue.record("an unknown database connected")
            } catch let error as FleetError {
                guard case .unknownDatabase = error else { Issue.record("unknown database gave \(error)"); return }
            }
            try await cluster.kill()
            do {
                _ = try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger)
            } catch let error as FleetError {
                guard case .unreachable(_, let reason) = error else { Issue.record("a stopped server gave \(error)"); return }
                #expect(reason.contains("refused"))
            }
        }
    }

    /// A sidecar the store refuses (its id taken by another cassette) records on and ships
    /// nothing, and its health shows what waits, so that an alert on the backlog fires.
    @Test func aRefusedSidecarShowsItsBacklog() async throws {
        try await PostgresCluster.with { cluster in
            let first = try Self.temporaryCassette()
            _ = try await first.insert(Self.exchanges(2))
            _ = try await FleetTransfer.push(first, to: cluster.location, password: PostgresCluster.password, recording: "thu", sidecar: "s1", logger: Self.logger)
            try await Self.withShippingRecorder(to: cluster, recording: "thu", sidecar: "s1") { base, cassette, shipper in
                try await Self.waitUntil { shipper.status.lastError?.contains("already ships") == true }
                for _ in 0..<2 { _ = try await MerchantFlow().run(baseURL: base) }
                let recorded = Int64(try cassette.count())
                #expect(recorded > 0)
                try await Self.waitUntil(seconds: 3) { shipper.status.pending == recorded && shipper.status.lagSeconds > 0 }
                #expect(shipper.status.shipped == 0)
            }
        }
    }

    /// `record --ship` in-process, in front of a fake Klarna: `body` gets the recorder's base
    /// URL, its cassette and its shipper.
    static func withShippingRecorder(
        to cluster: PostgresCluster, recording: String, sidecar: String,
        _ body: @Sendable (_ base: String, _ cassette: Cassette, _ shipper: FleetShipper) async throws -> Void
    ) async throws {
        let fakePort = ListeningPort()
        let fake = try FakeKlarnaServer.make(options: .init(), logger: Self.logger, onListening: fakePort.callback)
        try await ServiceHarness.run([fake], logger: Self.logger) {
            let cassette = try Self.temporaryCassette()
            let stack = try RecordingStack(
                cassette: cassette,
                upstream: .init(endpoint: try UpstreamEndpoint(parsing: "http://127.0.0.1:\(await fakePort.wait())")),
                proxy: .init(listen: .init(host: "127.0.0.1", port: 0), cassettePath: cassette.path), redactionKey: Array(repeating: 7, count: 32),
                fleet: FleetShipping(location: cluster.location, password: PostgresCluster.password, recording: recording, sidecar: sidecar),
                logger: Self.logger)
            let shipper = try #require(stack.shipper)
            try await ServiceHarness.run(stack.services, logger: Self.logger) {
                try await body("http://127.0.0.1:\(await stack.port.wait())", cassette, shipper)
            }
        }
    }

    /// Recording starts with the database down, ships when it comes up, goes on through an
    /// outage mid-recording, and ends with every recorded exchange in the store exactly once.
    @Test func shippingWhileRecordingSurvivesOutages() async throws {
        try await PostgresCluster.with { cluster in
            try await cluster.kill()
            try await Self.withShippingRecorder(to: cluster, recording: "wed", sidecar: "s1") { base, cassette, shipper in
                for _ in 0..<3 { _ = try await MerchantFlow().run(baseURL: base) }
                #expect(shipper.status.connected == false && shipper.status.lastError != nil)
                try await cluster.start()
                try await Self.waitUntil { shipper.status.connected && shipper.status.pending == 0 }
                try await cluster.kill()
                for _ in 0..<2 { _ = try await MerchantFlow().run(baseURL: base) }
                try await cluster.start()
                let recorded = try cassette.count()
                let store = try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger)
                let deadline = ContinuousClock.now + .seconds(20)
                var shipped = 0
                repeat {
                    shipped = try await store.count(recording: "wed")
                    if shipped == recorded { break }
                    try await Task.sleep(for: .milliseconds(100))
                } while ContinuousClock.now < deadline
                await store.close()
                #expect(shipped == recorded && recorded == 25, "shipped \(shipped) of \(recorded); status \(shipper.status)")
            }
        }
    }

    /// Three sidecars record at once into one recording; each ships its own rows, nothing is
    /// mixed or lost, and the lag (time until the fleet holds everything) stays under 2 s.
    @Test func threeSidecarsShipConcurrently() async throws {
        try await PostgresCluster.with { cluster in
            let fakePort = ListeningPort()
            let fake = try FakeKlarnaServer.make(options: .init(), logger: Self.logger, onListening: fakePort.callback)
            try await ServiceHarness.run([fake], logger: Self.logger) {
                let upstream = "http://127.0.0.1:\(await fakePort.wait())"
                let cassettes = try (0..<3).map { _ in try Self.temporaryCassette() }
                let stacks = try cassettes.enumerated().map { index, cassette in
                    try RecordingStack(
                        cassette: cassette, upstream: .init(endpoint: try UpstreamEndpoint(parsing: upstream)),
                        proxy: .init(listen: .init(host: "127.0.0.1", port: 0), cassettePath: cassette.path),
                        redactionKey: Array(repeating: 7, count: 32),
                        fleet: FleetShipping(location: cluster.location, password: PostgresCluster.password, recording: "fleet", sidecar: "s\(index)"),
                        logger: Self.logger)
                }
                try await ServiceHarness.run(stacks.flatMap(\.services), logger: Self.logger) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for stack in stacks {
                            group.addTask {
                                let base = "http://127.0.0.1:\(await stack.port.wait())"
                                for _ in 0..<8 { _ = try await MerchantFlow().run(baseURL: base) }
                            }
                        }
                        try await group.waitForAll()
                    }
                    let stoppedRecording = ContinuousClock.now
                    let store = try await FleetStore.open(cluster.location, password: PostgresCluster.password, logger: Self.logger)
                    let expected = try cassettes.reduce(0) { $0 + (try $1.count()) }
                    var shipped = 0
                    while ContinuousClock.now - stoppedRecording < .seconds(10) {
                        shipped = try await store.count(recording: "fleet")
                        if shipped == expected { break }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    let lag = ContinuousClock.now - stoppedRecording
                    await store.close()
                    #expect(shipped == expected && expected == 3 * 8 * 5, "shipped \(shipped) of \(expected)")
                    #expect(lag < .seconds(2), "the fleet held everything \(lag) after recording stopped")
                    let pulled = try Self.temporaryCassette().path + ".pulled"
                    try await FleetTransfer.pull(cluster.location.with(recording: "fleet"), password: PostgresCluster.password, into: pulled, logger: Self.logger)
                    let rows = try Cassette.open(path: pulled).allExchanges()
                    let original = try cassettes.flatMap { try $0.allExchanges() }
                    #expect(Set(rows.map(\.responseBody)) == Set(original.map(\.responseBody)), "every sidecar's rows, none mixed")
                    #expect(rows.map(\.startedAt) == rows.map(\.startedAt).sorted(), "a fleet reads in time order")
                }
            }
        }
    }

    /// The deadline that keeps shipping alive when postgres-nio leaves a query unanswered: a
    /// stuck operation loses to the clock, a prompt one wins, and neither waits for the other.
    @Test func aStuckStatementLosesToItsDeadline() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let stuck = try await FleetStore.race(deadline: .milliseconds(100), onTimeout: .success("gave up")) {
            try await withUnsafeThrowingContinuation { (_: UnsafeContinuation<String, any Error>) in }
        }
        #expect(stuck == "gave up" && clock.now - started < .seconds(2))
        let prompt = try await FleetStore.race(deadline: .seconds(10), onTimeout: .success("gave up")) { "answered" }
        #expect(prompt == "answered")
        await #expect(throws: FleetError.self) {
            _ = try await FleetStore.race(deadline: .seconds(10), onTimeout: .success(0)) {
                throw FleetError.unreachable(try! FleetLocation(parsing: "postgres://u@h/d"), reason: "x")
            }
        }
    }

    static func waitUntil(seconds: Double = 20, _ condition: @Sendable () -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("condition not met within \(seconds) s")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
