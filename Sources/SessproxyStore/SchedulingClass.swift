#if canImport(Glibc)
import Glibc
#endif

/// Linux's scheduling classes a thread of sessproxy moves itself into, without privileges;
/// elsewhere nothing moves.
///
/// `batch` (`SCHED_BATCH`): the same share of the CPU as any other thread, but its wake-ups never
/// preempt a thread that is running. The cassette writer runs so. When a core is idle (one request
/// at a time) it starts at once, as before; when every core is busy (the event loops, the app, its
/// other sidecars) the exchanges it was woken for wait until a core comes free, and whatever queued
/// up meanwhile goes into the same commit. Measured at c=32 on two cores, alternating recorders:
/// 234–255 µs of CPU per recorded exchange against 260–284 µs without (fewer, larger commits, and
/// no event loop knocked off its core mid-request), c=1 latency unchanged. The writer cannot
/// preempt even a thread at nice 19, so the background folds run in the idle class while they keep
/// up (`SpareCPUThread`, `CheckpointPolicy.placement(of:wal:takingOver:)`): at nice 19 they held a
/// commit up for 0.2–0.7 ms in about one request of forty-five at c=1. The event loops stay in the
/// normal class: moved too, they gained nothing measurable (235–295 against 259–293 µs in six
/// pairs), and a loop serving a request should not wait behind a background fold.
///
/// `idle` (`SCHED_IDLE`): the thread runs only on a core nothing else wants
/// (`SpareCPUThread`).
enum SchedulingClass: Int32 {
    // The values from <linux/sched.h>; glibc declares them only for `_GNU_SOURCE`, which Swift's
    // Glibc module does not set.
    case batch = 3
    case idle = 5

    /// Moves the calling thread into the class; returns whether it is now there.
    @discardableResult
    func applyToCurrentThread() -> Bool {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        // Linux applies the policy to the calling thread when the id is 0.
        return sched_setscheduler(0, rawValue, &parameters) == 0
        #else
        return false
        #endif
    }

    /// Whether the calling thread is in the class.
    var includesCurrentThread: Bool {
        #if os(Linux)
        return sched_getscheduler(0) == rawValue
        #else
        return false
        #endif
    }
}
