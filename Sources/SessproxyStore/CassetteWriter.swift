import Foundation
import GRDB
import Synchronization
import Logging
import ServiceLifecycle
import SessproxyCore

/// The single writer of a recording cassette. Requests never touch SQLite themselves: they
/// queue their exchange and wait, suspended, while a dedicated thread commits whatever queued
/// up meanwhile in one transaction (group commit) and resumes each caller once its row is
/// durable. So an event loop never blocks on a commit — not even when another process holds the
/// cassette's write lock — and health, metrics and other connections keep answering.
///
/// A locked cassette is a passing condition: the batch is retried until the lock goes. A request
/// whose commit has waited `pendingAfter` (1 s) is answered `pending` — the app gets Klarna's
/// answer, marked `Sessproxy-Recording: pending` — and its exchange stays queued (at most
/// 10,000 held) until it is committed, at the latest at graceful shutdown (which keeps retrying a
/// locked cassette for 30 s, then writes what is left beside it: `SetAsideFile`). Decisions are
/// `StateMachine`'s; this class only does the I/O.
/// Runs as a `Service`: on graceful shutdown it drains what is queued, checkpoints, and stops.
public final class CassetteWriter: ExchangeRecorder, Service {
    public let cassette: Cassette
    private let logger: Logger
    private let condition = MonotonicCondition()
    // Guarded by `condition`.
    nonisolated(unsafe) private var machine: StateMachine
    nonisolated(unsafe) private var waiting: [StateMachine.Ticket: CheckedContinuation<StateMachine.Answer, Never>] = [:]
    nonisolated(unsafe) private var exchanges: [StateMachine.Ticket: RecordedExchange] = [:]
    nonisolated(unsafe) private var nextTicket: StateMachine.Ticket = 0
    nonisolated(unsafe) private var stopped = false
    nonisolated(unsafe) private var setAsideFiles: [String] = []
    /// The pending watch sleeps on a condition of its own, until the earliest deadline it knows
    /// of or, with nothing queued, for `watchPollNanos`; a request never wakes it, so that an
    /// app sending one request at a time does not pay a third thread's wake-up (and its grab of
    /// the writer's lock) on every exchange. It is woken only to stop.
    private let watchCondition = MonotonicCondition()
    nonisolated(unsafe) private var watchKicked = false
    private let lastCommit = Atomic<UInt64>(0)
    private let commitThreadIsBatch = Atomic<Bool>(false)
    /// How long the pending watch sleeps with nothing queued: a quarter of `pendingAfter`,
    /// between 1 and 250 ms.
    private let watchPollNanos: UInt64

    /// Told about exchanges answered `pending` once they are committed after all; the recording
    /// handler tells it about the others, as it answers them.
    private let observer: (any TrafficObserver)?

    public convenience init(cassette: Cassette, observer: (any TrafficObserver)? = nil, logger: Logger = Logger(label: "sessproxy.store")) {
        self.init(cassette: cassette, limits: StateMachine.Limits(), observer: observer, logger: logger)
    }

    init(
        cassette: Cassette, limits: StateMachine.Limits, observer: (any TrafficObserver)? = nil, logger: Logger = Logger(label: "sessproxy.store")
    ) {
        self.cassette = cassette
        self.observer = observer
        self.logger = logger
        self.machine = StateMachine(limits: limits)
        self.watchPollNanos = max(min(limits.pendingAfterNanos / 4, 250_000_000), 1_000_000)
        // Checkpoints run in the background (`CassetteCheckpointer`), never inside a commit.
        do {
            try cassette.disableAutomaticCheckpoints()
        } catch {
            logger.warning("could not turn off automatic checkpoints: \(error)")
        }
    }

    /// When the last commit finished (monotonic nanoseconds; 0 before the first).
    public var lastCommitNanos: UInt64 { lastCommit.load(ordering: .relaxed) }

    /// Whether the commit thread runs in the batch class (`SchedulingClass.batch`; Linux only).
    var commitsOnBatchThread: Bool { commitThreadIsBatch.load(ordering: .relaxed) }

    /// Exchanges committed by this writer so far.
    public var recordedCount: Int { withLock { machine.recorded } }

    /// Files that exchanges were written to at shutdown because the cassette stayed locked
    /// (`SetAsideFile`), and how many exchanges were answered but are in neither.
    public var unsaved: (files: [String], setAside: Int, failed: Int) {
        withLock { (setAsideFiles, machine.setAside, machine.failed) }
    }

    public var backlog: RecorderBacklog {
        withLock { RecorderBacklog(recorded: machine.recorded, pending: machine.pending, failed: machine.failed) }
    }

    public func record(_ exchange: RecordedExchange) async -> RecordOutcome {
        let answer = await withCheckedContinuation { (continuation: CheckedContinuation<StateMachine.Answer, Never>) in
            condition.lock()
            let ticket = nextTicket
            nextTicket += 1
            switch machine.enqueue(ticket, now: Self.now()) {
            case .wakeWriter:
                waiting[ticket] = continuation
                exchanges[ticket] = exchange
                condition.signal()
                condition.unlock()
            case .answer(let answer):
                condition.unlock()
                continuation.resume(returning: answer)
            }
        }
        switch answer {
        case .committed(let id): return .committed(id: id)
        case .pending: return .pending
        case .failed(let reason): return .failed(reason: reason)
        }
    }

    public func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                    let group = DispatchGroup()
                    for (name, loop) in [("writer", commitLoop), ("pending-watch", watchLoop)] {
                        group.enter()
                        let thread = Thread {
                            loop()
                            group.leave()
                        }
                        thread.name = "sessproxy-cassette-\(name)"
                        thread.start()
                    }
                    group.notify(queue: .global()) { finished.resume() }
                }
            } onGracefulShutdown: { [self] in
                close()
            }
        } onCancel: { [self] in
            close()
        }
        // A lock that outlasted the drain outlasts a checkpoint's wait too.
        guard unsaved.files.isEmpty else { return }
        do {
            try cassette.checkpoint()
        } catch {
            logger.warning("checkpoint at shutdown failed: \(error)")
        }
    }

    /// Stops taking exchanges; what is queued is still committed.
    public func close() {
        withLock {
            machine.close(now: Self.now())
            condition.broadcast()
        }
        kickWatch()
    }

    private func kickWatch() {
        watchCondition.lock()
        watchKicked = true
        watchCondition.signal()
        watchCondition.unlock()
    }

    /// The writer thread: commits batches until closed and drained.
    private func commitLoop() {
        commitThreadIsBatch.store(SchedulingClass.batch.applyToCurrentThread(), ordering: .relaxed)
        condition.lock()
        while true {
            switch machine.nextWriterAction(now: Self.now()) {
            case .stop:
                stopped = true
                condition.unlock()
                kickWatch()
                return
            case .wait(let until):
                if let until { condition.wait(untilUptimeNanos: until) } else { condition.wait() }
            case .commit(let tickets):
                let batch = tickets.compactMap { exchanges[$0] }
                var late: [RecordedExchange] = []
                condition.unlock()
                let result = Result { try cassette.insertBlocking(batch) }
                lastCommit.store(Self.now(), ordering: .relaxed)
                condition.lock()
                let answers: [(StateMachine.Ticket, StateMachine.Answer)]
                switch result {
                case .success(let ids):
                    answers = machine.committed(ids: ids)
                    for ticket in tickets { exchanges[ticket] = nil }
                    // Answered `pending` before: nobody waits for these ids but the live feed.
                    if observer != nil, answers.count < batch.count {
                        let answeredNow = Set(answers.map(\.0))
                        for (index, ticket) in tickets.enumerated() where !answeredNow.contains(ticket) {
                            var stored = batch[index]
                            stored.id = ids[index]
                            late.append(stored)
                        }
                    }
                case .failure(let error):
                    let retryable = Self.isLockContention(error)
                    let failure = machine.commitFailed(retryable: retryable, reason: Cassette.describe(error), now: Self.now())
                    answers = failure.answers
                    if !failure.setAside.isEmpty {
                        setAside(failure.setAside.compactMap { exchanges.removeValue(forKey: $0) })
                    } else if retryable {
                        logger.warning("cassette is locked by another connection; \(batch.count) exchange(s) wait for it")
                    } else {
                        logger.error("cassette write failed: \(error)")
                        for ticket in tickets { exchanges[ticket] = nil }
                    }
                }
                resume(answers)
                if let observer, !late.isEmpty {
                    condition.unlock()
                    for exchange in late { observer.recorded(exchange) }
                    condition.lock()
                }
            }
        }
    }

    /// Writes exchanges that shutdown could not commit beside the cassette (`SetAsideFile`).
    /// Called with the lock held; writes after releasing it.
    private func setAside(_ batch: [RecordedExchange]) {
        condition.unlock()
        let written = SetAsideFile.write(batch, besideCassette: cassette.path)
        condition.lock()
        switch written {
        case .success(let file):
            setAsideFiles.append(file)
            logger.error("the cassette stayed locked through shutdown: \(batch.count) answered exchange(s) written to \(file) instead")
        case .failure(let error):
            machine.setAsideFailed(count: batch.count)
            logger.critical("the cassette stayed locked through shutdown and \(batch.count) answered exchange(s) could not be set aside: \(error)")
        }
    }

    /// Answers `pending` whoever waited too long for a locked cassette.
    private func watchLoop() {
        while true {
            condition.lock()
            let (answers, next) = machine.tick(now: Self.now())
            resume(answers)
            let done = stopped
            condition.unlock()
            if done { return }
            watchCondition.lock()
            if !watchKicked {
                // A request queued while this sleeps is seen at the next poll, well before it
                // is due (`pendingAfter` after it came).
                watchCondition.wait(untilUptimeNanos: next ?? Self.now() + watchPollNanos)
            }
            watchKicked = false
            watchCondition.unlock()
        }
    }

    /// Resumes answered callers; called with the lock held, resumes after releasing it.
    private func resume(_ answers: [(StateMachine.Ticket, StateMachine.Answer)]) {
        guard !answers.isEmpty else { return }
        let ready = answers.compactMap { ticket, answer in waiting.removeValue(forKey: ticket).map { ($0, answer) } }
        condition.unlock()
        for (continuation, answer) in ready { continuation.resume(returning: answer) }
        condition.lock()
    }

    private func withLock<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }

    /// Another connection holds the write lock (SQLite's busy timeout ran out).
    static func isLockContention(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}
