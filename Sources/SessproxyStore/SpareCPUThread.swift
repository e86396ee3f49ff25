import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread that runs work on CPU time nobody else wants, in one of two ways (`Scheduling`):
///
/// - `.idleClass`: Linux's `SCHED_IDLE`. The thread runs only on a core that has nothing else to
///   run, and any other thread that wakes takes the core from it at once — the cassette writer
///   too, which, in the batch class (`SchedulingClass`), preempts nobody else. On a saturated
///   machine it gets almost nothing: measured at c=32 on two cores, checkpoints run there fell
///   up to 89 MiB behind.
/// - `.nice19`: nice 19. It keeps up on a saturated machine (at most 12 MiB behind, same
///   measurement), and a thread of normal priority that wakes — an event loop, the app — takes
///   the core from it at its next preemption point (the return from a system call, for one);
///   but the batch-class writer waits until the thread sleeps or its time slice ends.
///
/// Jobs run one at a time, in order. The thread keeps its class for good: without
/// `CAP_SYS_NICE` a thread cannot climb back. So work that others may come to wait for must be
/// able to give way on an idle-class thread (the checkpointer interrupts its pass there), and
/// work that must keep up runs on a `.nice19` thread. Where the idle class is refused (a
/// sandbox's system-call filter), the thread runs at nice 19 instead. The thread lives until
/// `stop()`, which its owner must call.
final class SpareCPUThread: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var jobs: [@Sendable () -> Void] = []
    private var running = false
    private var stopped = false

    enum Scheduling: Sendable {
        case idleClass
        case nice19
    }

    static let niceness: Int32 = 19

    init(name: String, scheduling: Scheduling) {
        let thread = Thread { [self] in loop(scheduling) }
        thread.name = name
        thread.start()
    }

    /// Whether a job is queued or running.
    var isBusy: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running || !jobs.isEmpty
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

    private func loop(_ scheduling: Scheduling) {
        Self.lowerPriority(scheduling)
        condition.lock()
        while true {
            while jobs.isEmpty, !stopped { condition.wait() }
            if jobs.isEmpty { break }
            let job = jobs.removeFirst()
            running = true
            condition.unlock()
            job()
            condition.lock()
            running = false
        }
        condition.unlock()
    }

    /// On Linux a nice value and a scheduling policy belong to a thread, and 0 names the
    /// calling one.
    private static func lowerPriority(_ scheduling: Scheduling) {
        #if canImport(Glibc)
        if scheduling == .idleClass, SchedulingClass.idle.applyToCurrentThread() { return }
        // `.nice19`, and the idle class where it is refused.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }
}
