import NIOCore
import NIOPosix
import SessproxyCore
import Synchronization

/// Reads the recorded answers that the requests of one event loop ask for within one turn of
/// that loop as one job on NIO's blocking pool. Handing each read to the pool on its own cost
/// about as much as the read: a condition-variable signal on the loop, a wake-up and a context
/// switch on the pool thread, and a wake-up back. Under load a loop decides several hits per
/// turn; they now share one trip each way. A lone request waits for nothing extra: its read is
/// sent at the end of the turn that asked for it.
final class AnswerReadBatcher: Sendable {
    private let source: any ReplayExchangeSource
    private let pool: NIOThreadPool
    /// One queue per event loop, each touched only on its own loop.
    private let queues = Mutex<[ObjectIdentifier: NIOLoopBound<Queue>]>([:])

    init(source: any ReplayExchangeSource, pool: NIOThreadPool = .singleton) {
        self.source = source
        self.pool = pool
    }

    /// Reads waiting for the end of their loop's turn.
    private final class Queue {
        var waiting: [(id: Int64, continuation: CheckedContinuation<RecordedResponse?, Never>)] = []
    }

    /// The recorded answer of `id`, or nil when it cannot be read (or the pool has stopped).
    func response(id: Int64) async -> RecordedResponse? {
        guard let loop = MultiThreadedEventLoopGroup.currentEventLoop else {
            let source = self.source
            return (try? await pool.runIfActive { source.responses(ids: [id])[0] }) ?? nil
        }
        let queue = queue(of: loop)
        return await withCheckedContinuation { continuation in
            queue.value.waiting.append((id, continuation))
            if queue.value.waiting.count == 1 {
                loop.execute { self.send(queue, from: loop) }
            }
        }
    }

    private func queue(of loop: any EventLoop) -> NIOLoopBound<Queue> {
        queues.withLock { queues in
            if let queue = queues[ObjectIdentifier(loop)] { return queue }
            let queue = NIOLoopBound(Queue(), eventLoop: loop)
            queues[ObjectIdentifier(loop)] = queue
            return queue
        }
    }

    /// Sends every read waiting on `loop` to the pool as one job; the answers come back to the
    /// loop together.
    private func send(_ queue: NIOLoopBound<Queue>, from loop: any EventLoop) {
        let batch = queue.value.waiting
        queue.value.waiting = []
        let source = self.source
        pool.submit { state in
            let responses = state == .active ? source.responses(ids: batch.map(\.id)) : batch.map { _ in nil }
            loop.execute {
                for (entry, response) in zip(batch, responses) { entry.continuation.resume(returning: response) }
            }
        }
    }
}
