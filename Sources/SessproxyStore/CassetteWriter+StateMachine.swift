import SessproxyCore

extension CassetteWriter {
    /// What the writer decides, with no I/O: which exchanges the writer thread commits next,
    /// whom to answer when a commit ends, when a waiting request is answered `pending` because
    /// the cassette stays locked, and when a batch is retried instead of dropped. Each event is a
    /// `mutating func` returning what to do; the writer does it after releasing its lock, in
    /// the manner of AsyncHTTPClient's `RequestBag.StateMachine`. Times are monotonic
    /// nanoseconds passed in, so tests drive it with a fake clock.
    struct StateMachine {
        typealias Ticket = UInt64

        /// How a waiting request is answered.
        enum Answer: Equatable {
            case committed(Int64)
            /// Still queued: the cassette was locked longer than `pendingAfter`.
            case pending
            case failed(String)
        }

        enum EnqueueAction: Equatable {
            /// Queued; the writer thread may be asleep.
            case wakeWriter
            /// Not queued (closed, or the pending queue is full): answer now.
            case answer(Answer)
        }

        enum WriterAction: Equatable {
            case commit([Ticket])
            case wait(untilNanos: UInt64?)
            case stop
        }

        struct Limits: Equatable {
            /// A request waits this long for its commit before it is answered `pending`.
            var pendingAfterNanos: UInt64 = 1_000_000_000
            /// Exchanges held in memory at most (queued, committing, or answered pending).
            var maximumQueued: Int = 10_000
            /// After a locked commit, wait this long before trying again.
            var retryDelayNanos: UInt64 = 50_000_000
            /// On shutdown, stop retrying a locked cassette after this long.
            var drainDeadlineNanos: UInt64 = 30_000_000_000
        }

        private struct Waiting {
            var ticket: Ticket
            var enqueuedAt: UInt64
            /// Answered `pending` already: its commit later answers nobody.
            var answered: Bool
        }

        let limits: Limits
        private var queued: [Waiting] = []
        private var committing: [Waiting] = []
        private var closed = false
        private var closedAt: UInt64?
        private var retryAt: UInt64?
        private(set) var recorded = 0
        private(set) var failed = 0
        /// Exchanges written beside the cassette at shutdown, as it stayed locked.
        private(set) var setAside = 0

        init(limits: Limits = Limits()) {
            self.limits = limits
        }

        /// Exchanges answered `pending` and not committed yet.
        var pending: Int { (queued + committing).filter(\.answered).count }

        var isIdle: Bool { queued.isEmpty && committing.isEmpty }

        mutating func enqueue(_ ticket: Ticket, now: UInt64) -> EnqueueAction {
            guard !closed else { return .answer(.failed("the cassette writer has stopped")) }
            guard queued.count + committing.count < limits.maximumQueued else {
                failed += 1
                return .answer(.failed("\(limits.maximumQueued) exchanges are already waiting for a locked cassette"))
            }
            queued.append(Waiting(ticket: ticket, enqueuedAt: now, answered: false))
            return .wakeWriter
        }

        /// The writer thread asks what to do next.
        mutating func nextWriterAction(now: UInt64) -> WriterAction {
            if !committing.isEmpty { return .wait(untilNanos: nil) }
            if let retryAt, now < retryAt { return .wait(untilNanos: retryAt) }
            retryAt = nil
            if queued.isEmpty { return closed ? .stop : .wait(untilNanos: nil) }
            committing = queued
            queued.removeAll(keepingCapacity: true)
            return .commit(committing.map(\.ticket))
        }

        /// The batch is durable: answer whoever still waits for it.
        mutating func committed(ids: [Int64]) -> [(Ticket, Answer)] {
            recorded += committing.count
            var answers: [(Ticket, Answer)] = []
            for (item, id) in zip(committing, ids) where !item.answered { answers.append((item.ticket, .committed(id))) }
            committing.removeAll(keepingCapacity: true)
            return answers
        }

        /// What to do with a batch that could not be committed.
        struct CommitFailure {
            /// Whom to answer now.
            var answers: [(Ticket, Answer)] = []
            /// Exchanges to write to a file of their own beside the cassette (see `commitFailed`).
            var setAside: [Ticket] = []
        }

        /// The batch could not be committed. A locked cassette (`retryable`) is a passing
        /// condition: the batch goes back to the front and is tried again. When shutdown has
        /// waited past its deadline with the lock still held, the batch is set aside instead of
        /// dropped — written beside the cassette, to be imported — and whoever still waits is
        /// answered `pending`. Anything else (disk full) fails the batch.
        mutating func commitFailed(retryable: Bool, reason: String, now: UInt64) -> CommitFailure {
            let giveUp = closedAt.map { now >= $0 + limits.drainDeadlineNanos } ?? false
            defer { committing.removeAll(keepingCapacity: true) }
            if retryable, !giveUp {
                queued = committing + queued
                retryAt = now + limits.retryDelayNanos
                return CommitFailure()
            }
            if retryable {
                setAside += committing.count
                return CommitFailure(
                    answers: committing.filter { !$0.answered }.map { ($0.ticket, Answer.pending) }, setAside: committing.map(\.ticket))
            }
            failed += committing.count
            return CommitFailure(answers: committing.filter { !$0.answered }.map { ($0.ticket, Answer.failed(reason)) })
        }

        /// A set-aside batch could not be written either: it is lost, and counted so.
        mutating func setAsideFailed(count: Int) {
            setAside -= count
            failed += count
        }

        /// Requests that waited past `pendingAfter` are answered `pending` (their exchange stays
        /// queued); returns them and when to look again.
        mutating func tick(now: UInt64) -> (answers: [(Ticket, Answer)], nextCheck: UInt64?) {
            var answers: [(Ticket, Answer)] = []
            var next: UInt64? = nil
            func visit(_ items: inout [Waiting]) {
                for index in items.indices where !items[index].answered {
                    let due = items[index].enqueuedAt + limits.pendingAfterNanos
                    if now >= due {
                        items[index].answered = true
                        answers.append((items[index].ticket, .pending))
                    } else {
                        next = min(next ?? due, due)
                    }
                }
            }
            visit(&committing)
            visit(&queued)
            return (answers, next)
        }

        /// Graceful shutdown: nothing new is taken; what is queued is still committed.
        mutating func close(now: UInt64) {
            closed = true
            closedAt = closedAt ?? now
        }
    }
}
