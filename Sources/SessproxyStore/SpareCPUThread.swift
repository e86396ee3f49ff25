import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread that runs work only on CPU time nobody else wants: it lives in Linux's `SCHED_IDLE`
/// class, so any runnable thread of normal priority — an event loop, the cassette writer, the
/// app — takes the core from it at once instead of waiting out a time slice. Jobs run one at a
/// time, in order.
///
/// The thread stays in that class for good: without `CAP_SYS_NICE` a thread cannot climb back
/// to normal priority. So only work that holds nothing anyone waits for belongs here; on a
/// saturated machine it can be starved for as long as the saturation lasts.
final class SpareCPUThread: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    /// The thread's scheduling class once started: `idleClass`, or what it had when the
    /// system refused the switch.
    private var schedulingClass: Int32?

    /// `SCHED_IDLE` from `<sched.h>` (only declared there under `_GNU_SOURCE`).
    static let idleClass: Int32 = 5

    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (done: CheckedContinuation<T, Never>) in
            condition.lock()
            jobs.append { done.resume(returning: body()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// The class the thread runs in (waits until it started).
    var runningClass: Int32 {
        condition.lock()
        defer { condition.unlock() }
        while schedulingClass == nil { condition.wait() }
        return schedulingClass ?? 0
    }

    /// Lets the queued jobs finish, then ends the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        let entered = Self.enterIdleClass()
        condition.lock()
        schedulingClass = entered
        condition.broadcast()
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

    private static func enterIdleClass() -> Int32 {
        #if canImport(Glibc)
        var parameters = sched_param()
        parameters.sched_priority = 0
        if sched_setscheduler(0, idleClass, &parameters) == 0 { return idleClass }
        return sched_getscheduler(0)
        #else
        return 0
        #endif
    }
}
