import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread that runs work mostly on CPU time nobody else wants: it runs at nice 19, so a
/// runnable thread of normal priority — an event loop, the app — takes the core from it at once
/// instead of waiting out a time slice. The cassette writer, in the batch class
/// (`BatchScheduling`), preempts nobody: when no core is idle it waits for this thread's short
/// slice to end. Jobs run one at a time, in order.
///
/// Nice 19 rather than Linux's `SCHED_IDLE` class: on a saturated machine an idle-class thread
/// gets almost nothing, and the checkpoints it runs fell behind (measured at c=32 on two cores:
/// up to 89 MiB of WAL waiting, against at most 12 MiB at nice 19), while at c=1 both cut
/// record's p99 alike. The thread keeps that priority for good: without `CAP_SYS_NICE` a thread
/// cannot climb back. So only work that holds nothing anyone waits for belongs here. The thread
/// lives until `stop()`, which its owner must call.
final class SpareCPUThread: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false

    static let niceness: Int32 = 19

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result; after `stop()`, on the caller's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
            submit { done.resume(returning: body()) }
        }
    }

    /// Queues `job` and returns at once, for work nobody waits for; after `stop()` it runs on
    /// the caller's thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        guard !stopped else {
            condition.unlock()
            job()
            return
        }
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the queued jobs finish, then ends the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        Self.lowerPriority()
        condition.lock()
        while true {
            while jobs.isEmpty, !stopped { condition.wait() }
            if jobs.isEmpty { break }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
        condition.unlock()
    }

    /// On Linux a nice value belongs to a thread, and `PRIO_PROCESS` with 0 names the calling one.
    private static func lowerPriority() {
        #if canImport(Glibc)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
