import Foundation
@testable import SessproxyStore
import Testing

@Suite struct SchedulingClassTests {
    #if os(Linux)
    @Test func movesOnlyTheCallingThreadIntoTheBatchClass() async {
        let callerWasBatch = SchedulingClass.batch.includesCurrentThread
        let (applied, isBatch) = await withCheckedContinuation { (done: CheckedContinuation<(Bool, Bool), Never>) in
            Thread {
                let before = SchedulingClass.batch.includesCurrentThread
                let applied = SchedulingClass.batch.applyToCurrentThread()
                done.resume(returning: (applied && !before, SchedulingClass.batch.includesCurrentThread))
            }.start()
        }
        #expect(applied)
        #expect(isBatch)
        #expect(SchedulingClass.batch.includesCurrentThread == callerWasBatch)
    }
    #endif
}
