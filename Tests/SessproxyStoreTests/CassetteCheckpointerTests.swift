import Foundation
import GRDB
import Logging
import ServiceLifecycle
import SessproxyCore
import Testing

@testable import SessproxyStore

/// The background checkpointer on a real cassette, with bounds small enough that its restarts
/// and its truncate when recording goes quiet all happen within the test.
@Suite struct CassetteCheckpointerTests {
    /// Once with the default bound for passes on idle cores, and once with one so small that an
    /// idle-class pass still busy at a poll with more than 8 KiB waiting gives way to one at nice
    /// 19, and most passes run there.
    @Test(.timeLimit(.minutes(1)), arguments: [CheckpointPolicy().idleFoldLimit, 8 << 10])
    func restartsAndTruncatesKeepTheWALBoundedAndLoseNothing(idleFoldLimit: UInt64) async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 60_000_000_000))
        var policy = CheckpointPolicy(foldAfter: 4 << 10, restartAfter: 16 << 10, shrinkAfter: 16 << 10, quietNanos: 100_000_000)
        policy.shrinkQuietNanos = 200_000_000
        policy.busyPollNanos = 2_000_000
        policy.idlePollNanos = 20_000_000
        policy.idleFoldLimit = idleFoldLimit
        let checkpointer = CassetteCheckpointer(cassette: cassette, writer: writer, policy: policy)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: writer), .init(service: checkpointer)], logger: Logger(label: "test")))
        let perWave = 10
        var waves = 0
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // Recording goes on, in waves with short pauses (never quiet), until the WAL in use
            // has shrunk: the log started over while recording was busy. At least 30 waves; on a
            // machine whose cores are all busy, an idle-class fold that must give way first
            // waits for CPU, so up to 20 s.
            var highestUse: UInt64 = 0
            var startedOver = false
            let giveUp = ContinuousClock.now + .seconds(20)
            while waves < 30 || (!startedOver && ContinuousClock.now < giveUp) {
                let first = waves * perWave
                await withTaskGroup(of: Void.self) { writers in
                    for n in 0..<perWave { writers.addTask { _ = await writer.record(CassetteTests.sample(first + n)) } }
                }
                waves += 1
                let use = cassette.walProgress?.usedBytes ?? 0
                if use < highestUse { startedOver = true }
                highestUse = max(highestUse, use)
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(startedOver, "the WAL never started over: \(highestUse) bytes in use after \(waves) waves")
            // Quiet now: the -wal file over `shrinkAfter` is truncated.
            let deadline = ContinuousClock.now + .seconds(10)
            while cassette.walSize > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(cassette.walSize == 0)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try Cassette.open(path: path).count() == waves * perWave)
        #expect(try cassette.integrityCheck() == "ok")
    }

    /// An idle-class pass told to give way: interrupted when it has begun, its frames left for the
    /// pass that takes over; skipped when it has not, leaving no interrupt behind. And the pass
    /// that takes over runs once more if SQLite kept an interrupt that found nothing running.
    @Test(.timeLimit(.minutes(1)))
    func anIdleFoldGivesWay() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        try cassette.disableAutomaticCheckpoints()
        try await Self.addFiller(to: cassette)
        let connection = try DatabaseQueue(path: path)

        // The pass waits, once begun, until it has been told to give way: a fold that finished
        // first on a loaded machine would otherwise leave nothing to interrupt.
        let begun = DispatchSemaphore(value: 0)
        let toldToGiveWay = DispatchSemaphore(value: 0)
        let fold = CassetteCheckpointer.IdleFold(handedOverAt: 0) {
            begun.signal()
            toldToGiveWay.wait()
        }
        let outcome: (any Error)? = await withCheckedContinuation { done in
            Thread { done.resume(returning: CassetteCheckpointer.checkpoint(.passive, on: connection, fold: fold)) }.start()
            Thread {
                begun.wait()
                fold.giveWay(interrupting: connection)
                toldToGiveWay.signal()
            }.start()
        }
        #expect((outcome as? DatabaseError)?.resultCode == .SQLITE_INTERRUPT, "not interrupted: \(String(describing: outcome))")
        let left = try #require(cassette.walProgress)
        #expect(left.backfilled < left.frames)

        let skipped = CassetteCheckpointer.IdleFold(handedOverAt: 0)
        skipped.giveWay(interrupting: connection)
        #expect(CassetteCheckpointer.checkpoint(.passive, on: connection, fold: skipped) == nil)
        #expect(try #require(cassette.walProgress).backfilled < left.frames, "a pass that gave way ran")
        // Not retried, so it fails if the skipped pass left an interrupt behind.
        try Self.foldPassively(connection)
        let folded = try #require(cassette.walProgress)
        #expect(folded.backfilled == folded.frames)

        try await Self.addFiller(to: cassette)
        connection.interrupt()
        #expect(throws: DatabaseError.self, "SQLite no longer keeps a stray interrupt") { try Self.foldPassively(connection) }
        connection.interrupt()
        #expect(CassetteCheckpointer.checkpoint(.passive, on: connection) == nil)
        let again = try #require(cassette.walProgress)
        #expect(again.backfilled == again.frames)
        #expect(try await connection.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM filler") } == 16_000)
    }

    /// ~33 MiB of WAL: a fold of it copies for tens of milliseconds.
    private static func addFiller(to cassette: Cassette) async throws {
        try await cassette.pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS filler (b BLOB);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 8000)
                INSERT INTO filler SELECT randomblob(4000) FROM n;
                """)
        }
    }

    private static func foldPassively(_ connection: DatabaseQueue) throws {
        try connection.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
    }
}
