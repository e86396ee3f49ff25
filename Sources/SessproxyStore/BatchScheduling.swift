#if canImport(Glibc)
import Glibc
#endif

/// Moves the calling thread to Linux's `SCHED_BATCH` class: same share of the CPU as any other
/// thread, but its wake-ups never preempt a thread that is running. The cassette writer runs so:
/// when a core is idle (one request at a time) it starts at once as before; when every core is
/// busy (the event loops, the app, its other sidecars) the exchanges it was woken for wait until
/// a core comes free, and whatever queued up meanwhile goes into the same commit. Measured at
/// c=32 on two cores, alternating recorders: 238–266 µs of CPU per recorded exchange against
/// 257–294 µs without (fewer, larger commits, and no loop knocked off its core mid-request),
/// c=1 latency unchanged. Any thread may enter the class without privileges; elsewhere nothing
/// changes.
enum BatchScheduling {
    private static let schedBatch: Int32 = 3

    /// Returns whether the thread is now in the batch class.
    @discardableResult
    static func applyToCurrentThread() -> Bool {
        #if os(Linux)
        var parameters = sched_param(sched_priority: 0)
        // Linux applies the policy to the calling thread when the id is 0. `SCHED_BATCH` is 3 in
        // <linux/sched.h>; glibc declares it only for `_GNU_SOURCE`, which Swift's Glibc does not set.
        return sched_setscheduler(0, schedBatch, &parameters) == 0
        #else
        return false
        #endif
    }
}
