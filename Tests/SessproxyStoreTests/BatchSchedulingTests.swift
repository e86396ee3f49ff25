import Foundation
@testable import SessproxyStore
import Testing

@Suite struct BatchSchedulingTests {
    #if os(Linux)
    @Test func movesOnlyTheCallingThreadIntoTheBatchClass() async {
        let callerWasBatch = BatchScheduling.currentThreadIsBatch
        let (applied, isBatch) = await withCheckedContinuation { (done: CheckedContinuation<(Bool, Bool), Never>) in
            Thread {
                let before = BatchScheduling.currentThreadIsBatch
                let applied = BatchScheduling.applyToCurrentThread()
                done.resume(returning: (applied && !before, BatchScheduling.currentThreadIsBatch))
            }.start()
        }
        #expect(applied)
        #expect(isBatch)
        #expect(BatchScheduling.currentThreadIsBatch == callerWasBatch)
    }
    #endif
}
