import Foundation
import GRDBSQLite
import Logging
import ServiceLifecycle
import SessproxyCore
import Synchronization
import Testing
@testable import SessproxyStore

/// Exchanges answered `pending` reach the live feed once they are committed after all; the
/// writer tells it about no other (the recording handler does, as it answers them).
@Suite struct CassetteWriterLateCommitTests {
    final class Collector: TrafficObserver {
        let recordedIDs = Mutex<[Int64?]>([])
        func recorded(_ exchange: RecordedExchange) { recordedIDs.withLock { $0.append(exchange.id) } }
        func served(_ request: ServedRequest) {}
    }

    @Test func pendingExchangesAreToldWhenCommitted() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let observer = Collector()
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 200_000_000), observer: observer)
        let group = ServiceGroup(configuration: .init(services: [.init(service: writer)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            guard case .committed(let first) = await writer.record(CassetteTests.sample(1)) else {
                Issue.record("an unlocked cassette did not commit")
                return
            }
            var holder: OpaquePointer?
            #expect(sqlite3_open_v2(path, &holder, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
            #expect(sqlite3_exec(holder, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
            async let second = writer.record(CassetteTests.sample(2))
            async let third = writer.record(CassetteTests.sample(3))
            #expect(await [second, third] == [.pending, .pending])
            #expect(sqlite3_exec(holder, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
            sqlite3_close(holder)
            let deadline = ContinuousClock.now + .seconds(20)
            while observer.recordedIDs.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(observer.recordedIDs.withLock { $0 } == [first + 1, first + 2])
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(writer.recordedCount == 3)
    }
}
