import Foundation
import Logging
import ServiceLifecycle
import SessproxyCore
import Testing

@testable import SessproxyStore

/// The background checkpointer on a real cassette, with bounds small enough that its restarts
/// and its truncate when recording goes quiet all happen within the test.
@Suite struct CassetteCheckpointerTests {
    @Test func restartsAndTruncatesKeepTheWALBoundedAndLoseNothing() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 60_000_000_000))
        var policy = CheckpointPolicy(foldAfter: 4 << 10, restartAfter: 16 << 10, shrinkAfter: 16 << 10, quietNanos: 100_000_000)
        policy.shrinkQuietNanos = 200_000_000
        policy.busyPollNanos = 2_000_000
        policy.idlePollNanos = 20_000_000
        let checkpointer = CassetteCheckpointer(cassette: cassette, writer: writer, policy: policy)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: writer), .init(service: checkpointer)], logger: Logger(label: "test")))
        let waves = 30
        let perWave = 10
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var highestUse: UInt64 = 0
            for wave in 0..<waves {
                await withTaskGroup(of: Void.self) { writers in
                    for n in 0..<perWave { writers.addTask { _ = await writer.record(CassetteTests.sample(wave * perWave + n)) } }
                }
                highestUse = max(highestUse, cassette.walProgress?.usedBytes ?? 0)
                try await Task.sleep(for: .milliseconds(5))
            }
            // Each exchange puts several pages into the WAL: without restarts it would hold them all.
            let written = UInt64(waves * perWave) * 4096
            #expect(highestUse < written, "the WAL never started over: \(highestUse) bytes in use")
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
}
