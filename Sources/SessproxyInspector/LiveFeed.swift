import Foundation
import SessproxyCore
import Synchronization

/// The inspector's live feed: server-sent events, one stream per open page, each with its own
/// filter. Every client has a bounded buffer; a client that falls `bufferLimit` events behind (a
/// stalled or slow browser) is dropped — its stream ends, the page reconnects and catches up
/// from the API — so a browser can never hold recording up or grow sessproxy's memory.
final class LiveFeed: Sendable {
    static let bufferLimit = 512

    private struct Client: Sendable {
        let filter: ExchangeFilter
        let continuation: AsyncStream<[UInt8]>.Continuation
    }

    /// Every stream opens with a `hello` event naming this instance (`Inspector.instance`).
    private let hello: [UInt8]
    private let clients = Mutex<[Int: Client]>([:])
    private let nextID = Atomic<Int>(0)
    private let dropped = Atomic<Int>(0)

    /// Clients dropped for falling behind, since start.
    var droppedClients: Int { dropped.load(ordering: .relaxed) }
    var clientCount: Int { clients.withLock { $0.count } }

    init(instance: String) {
        // Also tells EventSource to reconnect after a second if the stream ends.
        let document = JSONValue.object([JSONMember(key: "instance", value: .string(instance))])
        hello = Array("retry: 1000\nevent: hello\ndata: ".utf8) + JSONSerializer.bytes(document, style: .compact) + Array("\n\n".utf8)
    }

    func subscribe(filter: ExchangeFilter) -> AsyncStream<[UInt8]> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingOldest(Self.bufferLimit))
        continuation.onTermination = { [weak self] _ in
            _ = self?.clients.withLock { $0.removeValue(forKey: id) }
        }
        continuation.yield(hello)
        clients.withLock { $0[id] = Client(filter: filter, continuation: continuation) }
        return stream
    }

    /// Sends one list row to every client whose filter `exchange` passes; the row is built only
    /// when a page is open (this runs on every request).
    func publish(exchange: @autoclosure () -> RecordedExchange, row: (RecordedExchange) -> JSONValue) {
        let targets = clients.withLock { $0 }
        guard !targets.isEmpty else { return }
        let exchange = exchange()
        let event = Array("event: exchange\nid: \(exchange.id ?? 0)\ndata: ".utf8) + JSONSerializer.bytes(row(exchange), style: .compact) + Array("\n\n".utf8)
        for (id, client) in targets where client.filter.matches(exchange) {
            if case .dropped = client.continuation.yield(event) {
                dropped.add(1, ordering: .relaxed)
                _ = clients.withLock { $0.removeValue(forKey: id) }
                client.continuation.finish()
            }
        }
    }

    func finishAll() {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return clients
        }
        for client in all.values { client.continuation.finish() }
    }
}
