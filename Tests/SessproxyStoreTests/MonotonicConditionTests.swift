import Dispatch
import Foundation
import Testing

@testable import SessproxyStore

/// The cassette writer's waits (retrying a locked cassette, the pending watch) run on the
/// monotonic clock; these pin what they must still do: wait out a deadline, wake on a signal.
@Suite struct MonotonicConditionTests {
    @Test func aTimedWaitLastsUntilItsDeadline() {
        let condition = MonotonicCondition()
        let start = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        condition.wait(untilUptimeNanos: start + 120_000_000)
        condition.unlock()
        let waited = DispatchTime.now().uptimeNanoseconds - start
        #expect(waited >= 120_000_000)
        #expect(waited < 2_000_000_000)
    }

    @Test func aDeadlineAlreadyPastDoesNotWait() {
        let condition = MonotonicCondition()
        let start = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        condition.wait(untilUptimeNanos: start > 1_000 ? start - 1_000 : 0)
        condition.unlock()
        #expect(DispatchTime.now().uptimeNanoseconds - start < 1_000_000_000)
    }

    /// Both sides run on threads of their own, which take the times: the test's task may be held
    /// up by other suites running at once, the condition may not.
    @Test func aSignalEndsATimedWaitEarly() async {
        let condition = MonotonicCondition()
        let flag = FlagBox()
        Thread {
            condition.lock()
            let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
            // Bounded: a wait past its deadline returns at once, still holding the lock.
            while !flag.isSet, DispatchTime.now().uptimeNanoseconds < deadline { condition.wait(untilUptimeNanos: deadline) }
            condition.unlock()
            flag.finished(at: DispatchTime.now().uptimeNanoseconds)
        }.start()
        Thread {
            usleep(50_000)
            condition.lock()
            flag.set(at: DispatchTime.now().uptimeNanoseconds)
            condition.signal()
            condition.unlock()
        }.start()
        for _ in 0..<2_000 where !flag.isFinished { try? await Task.sleep(for: .milliseconds(10)) }
        let (signalled, woke) = flag.times
        #expect(flag.isFinished)
        #expect(signalled > 0 && woke >= signalled && woke - signalled < 2_000_000_000, "woke \(Double(woke &- signalled) / 1e9) s after the signal")
    }
}

private final class FlagBox: @unchecked Sendable {
    private let lock = NSLock()
    private var signalledAt: UInt64?
    private var finishedAt: UInt64?
    var isSet: Bool { lock.withLock { signalledAt != nil } }
    var isFinished: Bool { lock.withLock { finishedAt != nil } }
    var times: (signalled: UInt64, woke: UInt64) { lock.withLock { (signalledAt ?? 0, finishedAt ?? 0) } }
    func set(at time: UInt64) { lock.withLock { signalledAt = time } }
    func finished(at time: UInt64) { lock.withLock { finishedAt = time } }
}
