import Foundation
import NIOCore
import NIOPosix
import SessproxyCore
@testable import SessproxyProxy
import Synchronization
import Testing

/// Hits decided on one event loop in one turn read their answers in one job on the blocking
/// pool, and each still gets its own answer.
@Suite struct AnswerReadBatcherTests {
    /// Answers id `n` with status `200 + n % 100` and body `n`; logs each batch it is asked for
    /// and the thread it was asked on.
    final class LoggingSource: ReplayExchangeSource {
        let batches = Mutex<[[Int64]]>([])
        let askedOnEventLoop = Atomic<Bool>(false)

        func exchange(id: Int64) -> RecordedExchange? { nil }

        func response(id: Int64) -> RecordedResponse? {
            guard id >= 0 else { return nil }
            return RecordedResponse(status: 200 + Int(id % 100), headers: [], body: Array(String(id).utf8))
        }

        func responses(ids: [Int64]) -> [RecordedResponse?] {
            if MultiThreadedEventLoopGroup.currentEventLoop != nil { askedOnEventLoop.store(true, ordering: .relaxed) }
            batches.withLock { $0.append(ids) }
            return ids.map { response(id: $0) }
        }
    }

    @Test func readsOfOneTurnShareOneJobAndEachGetsItsAnswer() async throws {
        let source = LoggingSource()
        let batcher = AnswerReadBatcher(source: source)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let ids = (0..<32).map { Int64($0) } + [-1]

        // Every task is created within one job of the loop, so their first steps run in one turn.
        let tasks = try await loop.submit {
            ids.map { id in Task(executorPreference: executor) { (id, await batcher.response(id: id)) } }
        }.get()
        var answers: [Int64: RecordedResponse?] = [:]
        for task in tasks {
            let (id, answer) = await task.value
            answers[id] = answer
        }

        for id in ids where id >= 0 {
            #expect(answers[id] == RecordedResponse(status: 200 + Int(id % 100), headers: [], body: Array(String(id).utf8)))
        }
        #expect(answers[-1] == .some(nil))
        let batches = source.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == ids.sorted())
        #expect(batches.count < ids.count, "one job per read: \(batches.map(\.count))")
        let askedOnEventLoop = source.askedOnEventLoop.load(ordering: .relaxed)
        #expect(!askedOnEventLoop)
    }

    /// Called off any event loop (a test, a tool), a read still goes through the pool.
    @Test func aReadOffTheEventLoopsIsAnswered() async {
        let source = LoggingSource()
        let batcher = AnswerReadBatcher(source: source)
        #expect(await batcher.response(id: 7)?.body == Array("7".utf8))
        #expect(source.batches.withLock { $0 } == [[7]])
        let askedOnEventLoop = source.askedOnEventLoop.load(ordering: .relaxed)
        #expect(!askedOnEventLoop)
    }
}
