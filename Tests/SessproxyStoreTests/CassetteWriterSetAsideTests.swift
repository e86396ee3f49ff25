import Foundation
import GRDBSQLite
import Logging
import ServiceLifecycle
import SessproxyCore
import Testing
@testable import SessproxyStore

/// A cassette locked through the whole of shutdown's wait: the answered exchanges are written
/// beside it (a HAR file `import` reads), not dropped.
@Suite struct CassetteWriterSetAsideTests {
    @Test func exchangesALockKeepsThroughShutdownAreWrittenBesideTheCassette() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        // Answered `pending` after 0.2 s; shutdown gives up on the lock at its first failed try.
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 200_000_000, drainDeadlineNanos: 0))
        // Another connection holds the write lock, as `sqlite3` with `BEGIN IMMEDIATE` would.
        var holder: OpaquePointer?
        #expect(sqlite3_open_v2(path, &holder, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK)
        #expect(sqlite3_exec(holder, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK)
        let group = ServiceGroup(configuration: .init(services: [.init(service: writer)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            async let first = writer.record(CassetteTests.sample(1))
            async let second = writer.record(CassetteTests.sample(2))
            #expect(await [first, second] == [.pending, .pending])
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(sqlite3_exec(holder, "ROLLBACK", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(holder)

        let unsaved = writer.unsaved
        #expect(unsaved.setAside == 2 && unsaved.failed == 0)
        let file = try #require(unsaved.files.first)
        #expect(file.hasPrefix(path + ".unsaved-") && file.hasSuffix(".har"))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        let kept = try HARDocument.exchanges(fromHAR: Array(try Data(contentsOf: URL(fileURLWithPath: file)))).exchanges
        #expect(kept.map(\.startedAt) == [CassetteTests.sample(1).startedAt, CassetteTests.sample(2).startedAt])
        #expect(kept.map(\.requestBody) == [CassetteTests.sample(1).requestBody, CassetteTests.sample(2).requestBody])
        #expect(try Cassette.open(path: path).count() == 0)
    }
}
