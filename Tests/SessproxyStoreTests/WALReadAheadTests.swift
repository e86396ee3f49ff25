import Foundation
import Logging
import ServiceLifecycle
import SessproxyCore
import Testing

@testable import SessproxyStore

/// Which stretches of the `-wal` file the checkpointer asks the kernel to read ahead, without
/// files or clocks; and, on a real cassette, that a log starting over finds its pages cached
/// again after they were dropped.
@Suite struct WALReadAheadTests {
    let ms: UInt64 = 1_000_000
    let mib: UInt64 = 1 << 20
    let frame: UInt64 = 4120

    func readAhead() -> WALReadAhead {
        var readAhead = WALReadAhead(restartAfter: 256 * mib)
        readAhead.window = 16 * mib
        return readAhead
    }

    @Test func nothingBeforeThereIsAWALOrPastTheFilesEnd() {
        var readAhead = readAhead()
        #expect(readAhead.ranges(wal: nil, fileBytes: 0, now: 0) == [])
        // A growing log writes past the file's end: there is nothing to read back.
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 100, backfilled: 0), fileBytes: 32 + 100 * frame, now: 1 * ms) == [])
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 0, backfilled: 0), fileBytes: 0, now: 2 * ms) == [])
    }

    /// A log reusing a bigger file from before: the window after its last frame, then only what
    /// the writer's progress adds to it, then all of it again once the refresh is due.
    @Test func aheadOfTheWriterOnceInFullThenOnlyWhatItGrewBy() {
        var readAhead = readAhead()
        let file = 200 * mib
        let end = 32 + 1_000 * frame
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 1_000, backfilled: 900), fileBytes: file, now: 10 * ms) == [end..<end + 16 * mib])
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 1_000, backfilled: 1_000 - 1), fileBytes: file, now: 35 * ms) == [], "no progress")
        let moved = 32 + 1_250 * frame
        #expect(
            readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 1_250, backfilled: 1_000), fileBytes: file, now: 60 * ms)
                == [end + 16 * mib..<moved + 16 * mib])
        #expect(
            readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 1_250, backfilled: 1_200), fileBytes: file, now: 2_100 * ms)
                == [moved..<moved + 16 * mib], "refreshed in full")
    }

    @Test func theWindowStopsAtTheFilesEnd() {
        var readAhead = readAhead()
        let end = 32 + 1_000 * frame
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 1_000, backfilled: 0), fileBytes: end + 5 * mib, now: 1 * ms) == [end..<end + 5 * mib])
    }

    /// Every frame folded back: SQLite starts the log over at the next commit, so the file's start
    /// is read ahead too; so it is once the log nears the checkpointer's restart bound.
    @Test func theFilesStartWhenTheLogIsAboutToStartOver() {
        var readAhead = readAhead()
        let file = 100 * mib
        let end = 32 + 2_000 * frame
        #expect(
            readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 2_000, backfilled: 2_000), fileBytes: file, now: 1 * ms)
                == [end..<end + 16 * mib, 0..<16 * mib])
        #expect(readAhead.ranges(wal: WALProgress.fourKiBPages(frames: 2_000, backfilled: 2_000), fileBytes: file, now: 300 * ms) == [], "asked for already")

        var nearBound = self.readAhead()
        nearBound.restartAfter = 64 * mib
        let frames = UInt32((60 * mib) / frame)
        let logEnd = 32 + UInt64(frames) * frame
        #expect(
            nearBound.ranges(wal: WALProgress.fourKiBPages(frames: frames, backfilled: frames - 10), fileBytes: file, now: 1 * ms)
                == [logEnd..<logEnd + 16 * mib, 0..<16 * mib])
        var farFromIt = self.readAhead()
        farFromIt.restartAfter = 64 * mib
        let fewer = UInt32((20 * mib) / frame)
        #expect(farFromIt.ranges(wal: WALProgress.fourKiBPages(frames: fewer, backfilled: 0), fileBytes: file, now: 1 * ms).count == 1)
    }

    /// On a real cassette: a burst of commits, then quiet until every frame is folded back, so the
    /// log will start over; the `-wal` file's pages are dropped from the page cache; the running
    /// checkpointer brings the file's start back in before anything is written again.
    @Test(.enabled(if: PageCacheProbe.dropsPages(under: FileManager.default.temporaryDirectory.path)))
    func theCheckpointerBringsTheStartOfAFoldedLogBackIntoTheCache() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 60_000_000_000))
        var policy = CheckpointPolicy(quietNanos: 50_000_000)
        policy.busyPollNanos = 5_000_000
        policy.idlePollNanos = 20_000_000
        var readAhead = WALReadAhead(restartAfter: policy.restartAfter)
        readAhead.refreshNanos = 1_500_000_000
        let checkpointer = CassetteCheckpointer(cassette: cassette, writer: writer, policy: policy, readAhead: readAhead)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: writer), .init(service: checkpointer)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var n = 0
            while cassette.walSize < 3 << 20 {
                _ = await writer.record(Self.largeSample(n))
                n += 1
            }
            let folded = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < folded {
                if let wal = cassette.walProgress, wal.frames > 0, wal.frames == wal.backfilled { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let wal = try #require(cassette.walProgress)
            try #require(wal.frames == wal.backfilled, "the quiet log was never folded back")

            let window = min(UInt64(cassette.walSize), readAhead.window)
            // Dropped again if a read-ahead happened to land in between.
            var dropped = 1.0
            for _ in 0..<3 where dropped >= 0.5 {
                try PageCacheProbe.drop(path + "-wal")
                dropped = try PageCacheProbe.residentFraction(of: path + "-wal", bytes: window)
            }
            try #require(dropped < 0.5, "the file system kept the pages (\(dropped)): nothing to test")

            var resident = dropped
            let deadline = ContinuousClock.now + .seconds(5)
            while resident < 0.95, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                resident = try PageCacheProbe.residentFraction(of: path + "-wal", bytes: window)
            }
            #expect(resident >= 0.95, "\(Int(resident * 100)) % of the file's first \(window) bytes cached again")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try Cassette.open(path: path).count() > 0)
    }

    /// An exchange of ~16 KB, so that each commit writes several pages.
    static func largeSample(_ n: Int) -> RecordedExchange {
        var exchange = CassetteTests.sample(n)
        exchange.requestBody = Array(#"{"order_amount":\#(n),"note":"\#(String(repeating: "x", count: 16_000))"}"#.utf8)
        return exchange
    }
}
