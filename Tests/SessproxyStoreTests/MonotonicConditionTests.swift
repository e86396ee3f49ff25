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
        #expect(DispatchTime.now().uptimeNanoseconds - start < 50_000_000)
    }

    @Test func aSignalEndsATimedWaitEarly() async {
        let condition = MonotonicCondition()
        let flag = FlagBox()
        let start = DispatchTime.now().uptimeNanoseconds
        let waiter = Thread {
            condition.lock()
            while !flag.isSet { condition.wait(untilUptimeNanos: start + 10_000_000_000) }
            condition.unlock()
            flag.finished()
        }
        waiter.start()
        try? await Task.sleep(for: .milliseconds(50))
        condition.lock()
        flag.set()
        condition.signal()
        condition.unlock()
        while !flag.isFinished, DispatchTime.now().uptimeNanoseconds - start < 5_000_000_000 {
            try? await Task.sleep(for: .milliseconds(5))
        }
        #expect(flag.isFinished)
        #expect(DispatchTime.now().uptimeNanoseconds - start < 5_000_000_000)
    }
}

private final class FlagBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var done = false
    var isSet: Bool { lock.withLock { value } }
    var isFinished: Bool { lock.withLock { done } }
    func set() { lock.withLock { value = true } }
    func finished() { lock.withLock { done = true } }
}
