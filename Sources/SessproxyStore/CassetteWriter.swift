import Foundation
import Logging
import ServiceLifecycle
import SessproxyCore

/// The single writer of a recording cassette. When nothing is being committed, a request
/// commits its own exchange on the spot, on its own thread (no hand-over, no thread wake-ups:
/// the quiet case costs one transaction). Otherwise it queues and waits; a dedicated thread takes everything
/// that queued up meanwhile and commits it in one transaction (group commit), so under load
/// many exchanges share one commit and each caller still resumes only once its row is durable.
/// Runs as a `Service`: on graceful shutdown it drains what is queued, checkpoints, and stops.
public final class CassetteWriter: ExchangeRecorder, Service {
    public let cassette: Cassette
    private let logger: Logger
    private let queue = PendingQueue()

    public struct Closed: Error, CustomStringConvertible {
        public var description: String { "the cassette writer has stopped" }
    }

    public init(cassette: Cassette, logger: Logger = Logger(label: "sessproxy.store")) {
        self.cassette = cassette
        self.logger = logger
    }

    /// Exchanges committed by this writer so far.
    public var recordedCount: Int { queue.recordedCount }

    public func record(_ exchange: RecordedExchange) async throws -> Int64 {
        if queue.beginInlineCommit() {
            let ids: [Int64]
            do {
                ids = try cassette.insertBlocking([exchange])
            } catch {
                queue.commitFinished(recorded: 0)
                logger.error("cassette write failed: \(error)")
                throw error
            }
            queue.commitFinished(recorded: ids.count)
            guard let id = ids.first else { throw Closed() }
            return id
        }
        return try await withCheckedThrowingContinuation { continuation in
            if !queue.enqueue(PendingQueue.Item(exchange: exchange, continuation: continuation)) {
                continuation.resume(throwing: Closed())
            }
        }
    }

    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [queue, cassette, logger] in
                        Self.commitLoop(queue: queue, cassette: cassette, logger: logger)
                        finished.resume()
                    }
                    thread.name = "sessproxy-cassette-writer"
                    thread.start()
                }
            } onGracefulShutdown: { [queue] in
                queue.close()
            }
        } onCancel: { [queue] in
            queue.close()
        }
        do {
            try cassette.checkpoint()
        } catch {
            logger.warning("checkpoint at shutdown failed: \(error)")
        }
    }

    /// Commits batches until the queue is closed and empty.
    private static func commitLoop(queue: PendingQueue, cassette: Cassette, logger: Logger) {
        while let batch = queue.nextBatch() {
            do {
                let ids = try cassette.insertBlocking(batch.map(\.exchange))
                queue.commitFinished(recorded: ids.count)
                for (item, id) in zip(batch, ids) { item.continuation.resume(returning: id) }
            } catch {
                queue.commitFinished(recorded: 0)
                logger.error("cassette write failed: \(error)")
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }
}

/// Exchanges waiting for the writer thread, guarded by a condition variable the thread
/// sleeps on, and who is committing right now (the thread or one inline caller, never both).
final class PendingQueue: @unchecked Sendable {
    struct Item {
        var exchange: RecordedExchange
        var continuation: CheckedContinuation<Int64, any Error>
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    private var recorded = 0
    private var committing = false

    /// True when the caller may commit its exchange itself: open, nothing queued, nobody
    /// committing. The caller must call `commitFinished(recorded:)` afterwards.
    func beginInlineCommit() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, items.isEmpty, !committing else { return false }
        committing = true
        return true
    }

    /// Ends a commit, inline or the writer thread's, that stored `count` exchanges; the writer
    /// thread then takes over what queued meanwhile.
    func commitFinished(recorded count: Int) {
        condition.lock()
        recorded += count
        committing = false
        condition.broadcast()
        condition.unlock()
    }

    /// False once the queue is closed (the caller answers the exchange with an error).
    func enqueue(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(item)
        condition.signal()
        return true
    }

    /// Everything queued, waiting while empty; nil once closed and drained.
    func nextBatch() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while (items.isEmpty && !closed) || committing { condition.wait() }
        if items.isEmpty { return nil }
        committing = true
        let batch = items
        items.removeAll(keepingCapacity: true)
        return batch
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var recordedCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return recorded
    }
}
