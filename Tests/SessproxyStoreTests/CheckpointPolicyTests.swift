import Foundation
import GRDB
import Testing
@testable import SessproxyStore

/// When the background checkpointer folds the WAL, without files or clocks; and the wal-index
/// reading it relies on, against a real cassette.
@Suite struct CheckpointPolicyTests {
    let ms: UInt64 = 1_000_000
    let mib: UInt64 = 1 << 20

    @Test func foldsOnceOneMebibyteWaitsAndNotBefore() {
        var policy = CheckpointPolicy()
        let busy = { (wal: WALProgress) in (wal: wal, file: UInt64(200) * self.mib) }
        // 250 frames of 4,120 bytes: under 1 MiB waiting, recording busy, a large file from an earlier burst.
        let under = busy(WALProgress.fourKiBPages(frames: 5_000, backfilled: 4_750))
        #expect(policy.poll(wal: under.wal, walFileBytes: under.file, lastCommit: 100 * ms, now: 101 * ms) == .none)
        let over = busy(WALProgress.fourKiBPages(frames: 5_000, backfilled: 4_700))
        #expect(policy.poll(wal: over.wal, walFileBytes: over.file, lastCommit: 200 * ms, now: 201 * ms) == .passive)
    }

    @Test func aQuietWriterGetsOnePassiveCheckpointThenNothing() {
        var policy = CheckpointPolicy()
        let wal = WALProgress.fourKiBPages(frames: 10, backfilled: 0)
        #expect(policy.poll(wal: wal, walFileBytes: 41_200, lastCommit: 100 * ms, now: 200 * ms) == .none, "not quiet yet")
        // Found due while an earlier pass still runs, it is left for the next poll.
        #expect(policy.due(wal: wal, walFileBytes: 41_200, lastCommit: 100 * ms, now: 350 * ms) == .passive)
        #expect(policy.poll(wal: wal, walFileBytes: 41_200, lastCommit: 100 * ms, now: 400 * ms) == .passive)
        let folded = WALProgress.fourKiBPages(frames: 10, backfilled: 10)
        #expect(policy.poll(wal: folded, walFileBytes: 41_200, lastCommit: 100 * ms, now: 500 * ms) == .none, "nothing committed since")
        #expect(policy.poll(wal: folded, walFileBytes: 41_200, lastCommit: 0, now: 500 * ms) == .none)
    }

    typealias Step = (wal: WALProgress?, file: UInt64, lastCommit: UInt64, now: UInt64, action: CheckpointPolicy.Action)

    /// Polls one fresh policy with each step in turn and checks each answer.
    func expectSteps(_ steps: [Step], sourceLocation: SourceLocation = #_sourceLocation) {
        var policy = CheckpointPolicy()
        for (index, step) in steps.enumerated() {
            let action = policy.poll(wal: step.wal, walFileBytes: step.file, lastCommit: step.lastCommit, now: step.now)
            #expect(action == step.action, "step \(index)", sourceLocation: sourceLocation)
        }
    }

    /// 70,000 frames ≈ 275 MiB in use, nearly all folded: load never paused long enough for the
    /// WAL to start over, so the fold is followed by a restart. A restart leaves the frame count
    /// until the writer's next commit: it is not repeated before then, and after a minute of
    /// quiet the file is truncated instead.
    @Test func aWALInUseForTooLongIsRestartedOnceUntilTheWriterCommitsAgain() {
        let full = WALProgress.fourKiBPages(frames: 70_000, backfilled: 69_990)
        let restarted = WALProgress.fourKiBPages(frames: 70_000, backfilled: 70_000)
        expectSteps([
            (full, 290 * mib, 100 * ms, 101 * ms, .passiveThenRestart),
            (restarted, 290 * mib, 100 * ms, 130 * ms, .none),
            (restarted, 290 * mib, 100 * ms, 400 * ms, .none),
            (restarted, 290 * mib, 100 * ms, 60_200 * ms, .truncate),
            (full, 290 * mib, 500 * ms, 501 * ms, .passiveThenRestart),
        ])
    }

    /// A short pause folds what waits and keeps the file (the next burst reuses its blocks); a
    /// minute of quiet gives the space back, unless the file is small.
    @Test func aLargeFileIsTruncatedOnlyAfterAMinuteOfQuiet() {
        let waiting = WALProgress.fourKiBPages(frames: 100, backfilled: 0)
        let folded = WALProgress.fourKiBPages(frames: 100, backfilled: 100)
        expectSteps([
            (waiting, 100 * mib, 100 * ms, 110 * ms, .none),
            (waiting, 100 * mib, 100 * ms, 400 * ms, .passive),
            (folded, 100 * mib, 100 * ms, 30_000 * ms, .none),
            (folded, 100 * mib, 100 * ms, 60_200 * ms, .truncate),
        ])
        expectSteps([(folded, 10 * mib, 100 * ms, 60_200 * ms, .passive)])
    }

    /// Under load every frame gets folded by passive passes before recording goes quiet; the
    /// large file is still truncated after a minute of quiet, once, and not again until
    /// something new is committed.
    @Test func aBurstFoldedWhileBusyIsStillTruncatedOnceQuiet() {
        let folded = WALProgress.fourKiBPages(frames: 20_000, backfilled: 20_000)
        expectSteps([
            (WALProgress.fourKiBPages(frames: 20_000, backfilled: 19_000), 100 * mib, 100 * ms, 101 * ms, .passive),
            (folded, 100 * mib, 100 * ms, 400 * ms, .none),
            (folded, 100 * mib, 100 * ms, 60_200 * ms, .truncate),
            (nil, 0, 100 * ms, 60_500 * ms, .none),
            (folded, 100 * mib, 100 * ms, 61_000 * ms, .none),
        ])
    }

    /// A pass that holds the writer must not run at the lowest priority: on a busy machine it would
    /// stall every recording request behind a starved thread. A passive one runs on an idle core
    /// while little waits, at nice 19 once idle cores have let more pile up.
    @Test func passesRunWhereTheyHoldNobodyUp() {
        let policy = CheckpointPolicy()
        let little = WALProgress(frames: 300, backfilled: 0, frameSize: 4120)
        let atTheLimit = WALProgress(frames: 1018, backfilled: 0, frameSize: 4120)
        let more = WALProgress(frames: 2000, backfilled: 900, frameSize: 4120)
        #expect(atTheLimit.pendingBytes <= policy.idleFoldLimit && more.pendingBytes > policy.idleFoldLimit)
        #expect(policy.placement(of: .passive, wal: little) == .idleCPU)
        #expect(policy.placement(of: .passive, wal: atTheLimit) == .idleCPU)
        #expect(policy.placement(of: .passive, wal: more) == .spareCPU)
        #expect(policy.placement(of: .passive, wal: nil) == .idleCPU)
        for wal in [little, more] {
            #expect(policy.placement(of: .passiveThenRestart, wal: wal) == .normal)
            #expect(policy.placement(of: .truncate, wal: wal) == .normal)
        }
        let soon: UInt64 = 30 * ms
        #expect(!policy.outgrewIdleFold(wal: little, waitedNanos: soon, due: .passive))
        #expect(!policy.outgrewIdleFold(wal: atTheLimit, waitedNanos: soon, due: .passive))
        #expect(policy.outgrewIdleFold(wal: more, waitedNanos: soon, due: .passive))
        #expect(!policy.outgrewIdleFold(wal: nil, waitedNanos: soon, due: .passive))
        // Starved on a busy host while little is recorded: the WAL grows too slowly to pass the
        // limit. The pass that takes over runs at nice 19, not queued behind the starved one.
        #expect(!policy.outgrewIdleFold(wal: little, waitedNanos: 4_900 * ms, due: .passive))
        #expect(policy.outgrewIdleFold(wal: little, waitedNanos: 5_100 * ms, due: .passive))
        #expect(policy.placement(of: .passive, wal: little, takingOver: true) == .spareCPU)
        // Nothing due, nothing to give way to, however long it waited.
        #expect(!policy.outgrewIdleFold(wal: more, waitedNanos: 5_100 * ms, due: .none))
        // A pass that holds the writer is due: it does not wait for a thread that may get no CPU.
        #expect(policy.outgrewIdleFold(wal: little, waitedNanos: soon, due: .passiveThenRestart))
        #expect(policy.outgrewIdleFold(wal: little, waitedNanos: soon, due: .truncate))
    }

    #if os(Linux)
    /// On a real thread: the work runs at nice 19, its result comes back, and the caller's
    /// thread is left as it was; after `stop()`, work still runs (on the caller's thread).
    @Test func spareCPUWorkRunsAtNiceNineteen() async {
        let nice = { @Sendable in getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        let spare = SpareCPUThread(name: "test-spare", scheduling: .nice19)
        let callerNice = nice()
        let results = await spare.run { (nice(), 6 * 7) }
        #expect(results.0 == 19 && results.1 == 42)
        #expect(nice() == callerNice)
        spare.stop()
        #expect(await spare.run { 7 } == 7)
    }

    /// The idle-class thread really is in `SCHED_IDLE`, the caller's thread is not moved, and
    /// `isBusy` covers a job from its queueing to its end.
    @Test func idleCPUWorkRunsInTheIdleClassAndShowsWhileBusy() async {
        let callerPolicy = sched_getscheduler(0)
        let idle = SpareCPUThread(name: "test-idle", scheduling: .idleClass)
        #expect(await idle.run { SchedulingClass.idle.includesCurrentThread })
        #expect(sched_getscheduler(0) == callerPolicy && !SchedulingClass.idle.includesCurrentThread)
        // A job's result comes back from inside it; the thread marks itself free just after.
        func settled() async -> Bool {
            for _ in 0..<1_000 where idle.isBusy { try? await Task.sleep(for: .milliseconds(1)) }
            return !idle.isBusy
        }
        #expect(await settled())
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        idle.submit {
            started.signal()
            release.wait()
        }
        #expect(idle.isBusy, "queued")
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                started.wait()
                done.resume()
            }
        }
        #expect(idle.isBusy, "running")
        release.signal()
        #expect(await settled())
        idle.stop()
    }
    #endif

    @Test func pollsOftenOnlyWhileTheWriterCommits() {
        let policy = CheckpointPolicy()
        #expect(policy.pollInterval(lastCommit: 0, now: 5_000 * ms) == policy.idlePollNanos, "nothing committed yet")
        #expect(policy.pollInterval(lastCommit: 4_500 * ms, now: 5_000 * ms) == policy.busyPollNanos)
        #expect(policy.pollInterval(lastCommit: 3_000 * ms, now: 5_000 * ms) == policy.idlePollNanos)
        #expect(policy.busyPollNanos < policy.idlePollNanos)
    }

    @Test func walIndexHeaderIsReadFromItsDocumentedOffsets() {
        var bytes = [UInt8](repeating: 0, count: 136)
        bytes[12] = 1
        withUnsafeBytes(of: UInt16(4096)) { bytes.replaceSubrange(14..<16, with: $0) }
        withUnsafeBytes(of: UInt32(1234)) { bytes.replaceSubrange(16..<20, with: $0) }
        withUnsafeBytes(of: UInt32(1000)) { bytes.replaceSubrange(96..<100, with: $0) }
        #expect(WALProgress(shmPrefix: bytes) == WALProgress(frames: 1234, backfilled: 1000, frameSize: 4120))
        #expect(WALProgress(shmPrefix: Array(bytes.prefix(50))) == nil)
        bytes[12] = 0
        #expect(WALProgress(shmPrefix: bytes) == nil, "an index not initialised yet")
    }

    /// The offsets against SQLite itself: frames grow with commits, a checkpoint backfills them all.
    @Test func walProgressFollowsARealCassette() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        try cassette.disableAutomaticCheckpoints()
        _ = try await cassette.insert([CassetteTests.sample(1)])
        let first = try #require(cassette.walProgress)
        _ = try await cassette.insert([CassetteTests.sample(2), CassetteTests.sample(3)])
        let second = try #require(cassette.walProgress)
        #expect(first.frameSize == 4096 + 24)
        #expect(second.frames > first.frames && second.backfilled == 0)
        let result = try await cassette.pool.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        let folded = try #require(cassette.walProgress)
        #expect(folded.frames == UInt32(result.walFrameCount) && folded.backfilled == folded.frames)
        #expect(folded.pendingBytes == 0)
    }

    /// Opening a cassette a second time in the same process (a test that replays what its
    /// recorder is still writing) checks the file's header through SQLite, so the first
    /// opening's shared lock on the main file survives: without it, another process closing
    /// the cassette would take itself for the last user and fold and delete the WAL.
    @Test func openingACassetteAgainKeepsTheFirstOpeningsLocks() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        _ = try await cassette.insert([CassetteTests.sample(1)])
        let again = try Cassette.open(path: cassette.path)
        #expect(try again.allExchanges().count == 1)
        // SQLite's shared-lock range on the main file: 510 bytes from 2^30 + 2.
        #expect(try Self.probeLock(on: cassette.path, length: 510, offset: 1_073_741_826) == "held")
        _ = try await cassette.insert([CassetteTests.sample(2)])
    }

    /// Asks another process whether it could take a write lock on `length` bytes at `offset`.
    static func probeLock(on path: String, length: Int, offset: Int) throws -> String {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = [
            "python3", "-c",
            """
            import fcntl, os, sys
            fd = os.open(sys.argv[1], os.O_RDWR)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, int(sys.argv[2]), int(sys.argv[3]))
                print("free")
            except OSError:
                print("held")
            """,
            path, String(length), String(offset),
        ]
        let output = Pipe()
        probe.standardOutput = output
        try probe.run()
        probe.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Reading the wal-index leaves this process's SQLite locks on it in place: POSIX drops all of
    /// a process's locks on a file when any descriptor of it is closed. Another process asks for
    /// the byte every connection holds a shared lock on while it has the index open (SQLite's
    /// "DMS" byte, 128 of the `-shm` file) and must be refused.
    @Test func readingTheWALIndexKeepsSQLitesLocks() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        _ = try await cassette.insert([CassetteTests.sample(1)])
        for _ in 0..<3 { _ = try #require(cassette.walProgress) }

        #expect(try Self.probeLock(on: cassette.path + "-shm", length: 1, offset: 128) == "held")
        // Uses the cassette after the probe, so its connections (and their locks) outlive it,
        // and shows the file still takes commits.
        _ = try await cassette.insert([CassetteTests.sample(2)])
    }
}

extension CheckpointPolicy {
    /// One poll as the checkpointer makes it when no pass is still running: what is due, noted
    /// as run.
    mutating func poll(wal: WALProgress?, walFileBytes: UInt64, lastCommit: UInt64, now: UInt64) -> Action {
        let action = due(wal: wal, walFileBytes: walFileBytes, lastCommit: lastCommit, now: now)
        willRun(action, lastCommit: lastCommit)
        return action
    }
}
