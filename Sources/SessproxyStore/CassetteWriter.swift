import Logging
import ServiceLifecycle
import SessproxyCore
import Synchronization

/// The single writer of a recording cassette. Requests hand their exchange over and wait;
/// the writer takes everything that queued up meanwhile and commits it in one transaction
/// (group commit), so under load many exchanges share one commit and each caller still
/// resumes only once its row is durable. Runs as a `Service`: on graceful shutdown it drains
/// what is queued, checkpoints, and stops.
public final class CassetteWriter: ExchangeRecorder, Service {
    public let cassette: Cassette
    private let logger: Logger
    private let state = Mutex(State())
    private let doorbell: AsyncStream<Void>
    private let doorbellContinuation: AsyncStream<Void>.Continuation

    private struct Pending {
        var exchange: RecordedExchange
        var continuation: CheckedContinuation<Int64, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        var closed = false
        var recorded = 0
    }

    public struct Closed: Error, CustomStringConvertible {
        public var description: String { "the cassette writer has stopped" }
    }

    public init(cassette: Cassette, logger: Logger = Logger(label: "sessproxy.store")) {
        self.cassette = cassette
        self.logger = logger
        (doorbell, doorbellContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Exchanges committed by this writer so far.
    public var recordedCount: Int { state.withLock { $0.recorded } }

    public func record(_ exchange: RecordedExchange) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = state.withLock { state in
                guard !state.closed else { return false }
                state.pending.append(Pending(exchange: exchange, continuation: continuation))
                return true
            }
            if accepted {
                doorbellContinuation.yield()
            } else {
                continuation.resume(throwing: Closed())
            }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in doorbell {
                await drain()
            }
        } onGracefulShutdown: {
            self.doorbellContinuation.finish()
        }
        state.withLock { $0.closed = true }
        await drain()
        do {
            try cassette.checkpoint()
        } catch {
            logger.warning("checkpoint at shutdown failed: \(error)")
        }
    }

    /// Commits everything queued, repeating until the queue is empty.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                return batch
            }
            if batch.isEmpty { return }
            do {
                let ids = try await cassette.insert(batch.map(\.exchange))
                state.withLock { $0.recorded += ids.count }
                for (pending, id) in zip(batch, ids) { pending.continuation.resume(returning: id) }
            } catch {
                logger.error("cassette write failed: \(error)")
                for pending in batch { pending.continuation.resume(throwing: error) }
            }
        }
    }
}
