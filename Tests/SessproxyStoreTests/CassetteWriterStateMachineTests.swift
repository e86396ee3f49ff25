import Testing
@testable import SessproxyStore

/// The writer's decisions without SQLite or threads, on a fake clock (nanoseconds).
@Suite struct CassetteWriterStateMachineTests {
    typealias Machine = CassetteWriter.StateMachine
    let second: UInt64 = 1_000_000_000

    @Test func queuedExchangesCommitTogetherAndAnswerTheirCallers() {
        var machine = Machine()
        #expect(machine.nextWriterAction(now: 0) == .wait(untilNanos: nil))
        #expect(machine.enqueue(1, now: 0) == .wakeWriter)
        #expect(machine.enqueue(2, now: 0) == .wakeWriter)
        #expect(machine.nextWriterAction(now: 1) == .commit([1, 2]))
        #expect(machine.enqueue(3, now: 2) == .wakeWriter)
        #expect(machine.nextWriterAction(now: 2) == .wait(untilNanos: nil), "one batch at a time")
        let answers = machine.committed(ids: [10, 11])
        #expect(answers.map(\.0) == [1, 2] && answers.map(\.1) == [.committed(10), .committed(11)])
        #expect(machine.nextWriterAction(now: 3) == .commit([3]))
        #expect(machine.committed(ids: [12]).map(\.1) == [.committed(12)])
        #expect(machine.recorded == 3 && machine.pending == 0 && machine.failed == 0)
    }

    /// A lock that comes and goes never costs an exchange: the batch is retried, waiting
    /// callers are answered `pending` after the bound, and the later commit answers nobody twice.
    @Test func aLockedCassetteIsRetriedAndWaitingCallersAnsweredPending() {
        var machine = Machine()
        _ = machine.enqueue(1, now: 0)
        #expect(machine.nextWriterAction(now: 0) == .commit([1]))
        #expect(machine.tick(now: second / 2).answers.isEmpty)
        #expect(machine.tick(now: second / 2).nextCheck == second)
        #expect(machine.commitFailed(retryable: true, reason: "database is locked", now: 5 * second).answers.isEmpty)
        let watch = machine.tick(now: 5 * second)
        #expect(watch.answers.map(\.0) == [1] && watch.answers.map(\.1) == [.pending])
        #expect(machine.pending == 1)
        _ = machine.enqueue(2, now: 5 * second)
        let retryAt = 5 * second + machine.limits.retryDelayNanos
        #expect(machine.nextWriterAction(now: 5 * second) == .wait(untilNanos: retryAt))
        #expect(machine.nextWriterAction(now: retryAt) == .commit([1, 2]))
        let answers = machine.committed(ids: [7, 8])
        #expect(answers.map(\.0) == [2], "the pending one was answered already")
        #expect(machine.recorded == 2 && machine.pending == 0 && machine.failed == 0)
    }

    @Test func otherFailuresFailTheBatch() {
        var machine = Machine()
        _ = machine.enqueue(1, now: 0)
        _ = machine.nextWriterAction(now: 0)
        let answers = machine.commitFailed(retryable: false, reason: "disk full", now: 1).answers
        #expect(answers.map(\.1) == [.failed("disk full")])
        #expect(machine.failed == 1 && machine.isIdle)
    }

    @Test func aFullQueueAndAClosedWriterAnswerAtOnce() {
        var machine = Machine(limits: .init(maximumQueued: 2))
        _ = machine.enqueue(1, now: 0)
        _ = machine.enqueue(2, now: 0)
        guard case .answer(.failed) = machine.enqueue(3, now: 0) else {
            Issue.record("a full queue took an exchange")
            return
        }
        machine.close(now: 0)
        guard case .answer(.failed) = machine.enqueue(4, now: 0) else {
            Issue.record("a closed writer took an exchange")
            return
        }
        #expect(machine.nextWriterAction(now: 0) == .commit([1, 2]), "what was queued is still committed")
        _ = machine.committed(ids: [1, 2])
        #expect(machine.nextWriterAction(now: 0) == .stop)
    }

    /// Shutdown keeps retrying a locked cassette, but not forever: then what is left is set aside
    /// (written beside the cassette), not dropped, and whoever still waits is answered `pending`.
    @Test func shutdownSetsAsideWhatALockKeptPastItsDeadline() {
        var machine = Machine()
        _ = machine.enqueue(1, now: 0)
        _ = machine.enqueue(2, now: 0)
        #expect(machine.tick(now: second).answers.map(\.1) == [.pending, .pending])
        _ = machine.enqueue(3, now: second)
        machine.close(now: second)
        #expect(machine.nextWriterAction(now: second) == .commit([1, 2, 3]))
        #expect(machine.commitFailed(retryable: true, reason: "locked", now: 2 * second).answers.isEmpty)
        _ = machine.nextWriterAction(now: 3 * second)
        let late = second + machine.limits.drainDeadlineNanos
        let failure = machine.commitFailed(retryable: true, reason: "locked", now: late)
        #expect(failure.setAside == [1, 2, 3])
        #expect(failure.answers.map(\.0) == [3] && failure.answers.map(\.1) == [.pending])
        #expect(machine.setAside == 3 && machine.failed == 0 && machine.nextWriterAction(now: late) == .stop)
        machine.setAsideFailed(count: 3)
        #expect(machine.setAside == 0 && machine.failed == 3)
    }
}
