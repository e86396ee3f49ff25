#if canImport(Glibc)
import Glibc
#endif

/// Runs work on CPU time nobody else wants: the calling thread is switched to Linux's
/// `SCHED_IDLE` class for the duration of `body`, then back to the class it had. Any runnable
/// thread of normal priority — an event loop, the cassette writer, the app — takes the core from
/// it at once instead of waiting out its time slice.
///
/// Only for work that holds no lock anyone else waits for: a thread in this class can be starved
/// for as long as the machine is saturated.
enum SpareCPU {
    static func run<T>(_ body: () throws -> T) rethrows -> T {
        #if canImport(Glibc)
        let previous = sched_getscheduler(0)
        var parameters = sched_param()
        guard previous >= 0, sched_getparam(0, &parameters) == 0 else { return try body() }
        var idle = sched_param()
        idle.sched_priority = 0
        guard sched_setscheduler(0, idleClass, &idle) == 0 else { return try body() }
        defer { _ = sched_setscheduler(0, previous, &parameters) }
        #endif
        return try body()
    }

    /// `SCHED_IDLE` from `<sched.h>` (only declared there under `_GNU_SOURCE`).
    static let idleClass: Int32 = 5

    /// The calling thread's scheduling class (`SCHED_OTHER` is 0).
    static var currentClass: Int32 {
        #if canImport(Glibc)
        sched_getscheduler(0)
        #else
        0
        #endif
    }
}
