import Foundation
import Testing
@testable import SessproxyStore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BatchSchedulingTests {
    #if os(Linux)
    @Test func movesOnlyTheCallingThreadIntoTheBatchClass() async {
        let callerPolicy = sched_getscheduler(0)
        let (applied, policy) = await withCheckedContinuation { (done: CheckedContinuation<(Bool, Int32), Never>) in
            Thread {
                let applied = BatchScheduling.applyToCurrentThread()
                done.resume(returning: (applied, sched_getscheduler(0)))
            }.start()
        }
        #expect(applied)
        #expect(policy == 3)  // SCHED_BATCH
        #expect(sched_getscheduler(0) == callerPolicy)
    }
    #endif
}
