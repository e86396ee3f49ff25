#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// A lock and condition variable whose timed waits run on the monotonic clock. Foundation's
/// `NSCondition.wait(until:)` waits for a wall-clock date: when the system clock is stepped back
/// (NTP, a VM resumed, an operator), the cassette writer's retry of a locked cassette and its
/// pending watch would sleep that much longer, and exchanges held in memory would wait for it
/// after the lock had gone.
final class MonotonicCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func signal() { pthread_cond_signal(condition) }
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits for a signal; the lock must be held.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a signal or until `deadline` (`DispatchTime` uptime nanoseconds, as the writer's
    /// state machine counts), whichever comes first; the lock must be held.
    func wait(untilUptimeNanos deadline: UInt64) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard deadline > now else { return }
        let delay = deadline - now
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        let total = UInt64(time.tv_nsec) + delay % 1_000_000_000
        time.tv_sec += Int(delay / 1_000_000_000 + total / 1_000_000_000)
        time.tv_nsec = Int(total % 1_000_000_000)
        _ = pthread_cond_timedwait(condition, mutex, &time)
    }
}
