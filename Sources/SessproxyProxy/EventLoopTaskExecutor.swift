import NIOCore

/// Runs a task's jobs on one SwiftNIO event loop. A connection's handler task that prefers
/// this executor reads, forwards upstream and writes back on the thread that owns its socket,
/// instead of hopping to the global pool and back at every `await`: fewer context switches,
/// lower latency, and the upstream client prefers a pooled connection on the same loop.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute {
            job.runSynchronously(on: executor)
        }
    }
}
