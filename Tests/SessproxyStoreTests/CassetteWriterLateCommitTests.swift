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
            // Nothing returns early from here: the writer must be shut down for the test to end.
            var holder: OpaquePointer?
            #expect(sqlite3_open_v2(path, &holder, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
            #expect(sqlite3_exec(holder, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
            async let first = writer.record(CassetteTests.sample(1))
            async let second = writer.record(CassetteTests.sample(2))
            #expect(await [first, second] == [.pending, .pending])
            #expect(sqlite3_exec(holder, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
            sqlite3_close(holder)
            let deadline = ContinuousClock.now + .seconds(20)
            while observer.recordedIDs.withLock({ $0.count }) < 2, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            #expect(observer.recordedIDs.withLock { $0 } == [1, 2])
            // Committed without waiting long: told by whoever answers it, not by the writer.
            let third = await writer.record(CassetteTests.sample(3))
            #expect(third == .committed(id: 3) || third == .pending)
            if third == .committed(id: 3) { #expect(observer.recordedIDs.withLock { $0 } == [1, 2]) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(writer.recordedCount == 3)
    }
}
