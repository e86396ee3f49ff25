import Dispatch
import Logging
import SessproxyCore
import Synchronization

/// Replay's body source backed by the fleet store: each hit or miss explanation reads just the
/// rows it needs, by the numbers `FleetReplayIndex` gave them. Replay calls a source from NIO's
/// blocking-I/O pool, so a read waits there for the store's answer; a failed read is reported to
/// the engine as a missing exchange, as with a cassette. When the server closed the connection
/// (a restart), the next read connects again, once, and retries.
public final class FleetReplaySource: ReplayExchangeSource {
    let recording: String
    let index: FleetReplayIndex
    let password: String?
    let logger: Logger
    /// The connection in use, and whether `close()` was called (then nothing reconnects).
    private let state: Mutex<(store: FleetStore, closed: Bool)>

    public init(store: FleetStore, recording: String, index: FleetReplayIndex, password: String?, logger: Logger) {
        self.state = Mutex((store, false))
        self.recording = recording
        self.index = index
        self.password = password
        self.logger = logger
    }

    public func exchange(id: Int64) -> RecordedExchange? {
        exchanges(ids: [id])[id]
    }

    /// A batch of hits' answers in one query.
    public func responses(ids: [Int64]) -> [RecordedResponse?] {
        let found = exchanges(ids: ids)
        return ids.map { id in found[id].map(RecordedResponse.init(of:)) }
    }

    public func exchanges(ids: [Int64]) -> [Int64: RecordedExchange] {
        var numbers: [FleetRowID: Int64] = [:]
        for id in ids {
            if let row = index.row(of: id) { numbers[row] = id }
        }
        guard !numbers.isEmpty else { return [:] }
        let rows = Array(numbers.keys)
        let recording = self.recording
        let current = state.withLock { $0.store }
        var found = Self.waitFor { try await current.exchanges(recording: recording, rows: rows) }
        if found == nil, current.isClosed, let fresh = reconnect(replacing: current) {
            found = Self.waitFor { try await fresh.exchanges(recording: recording, rows: rows) }
        }
        var byID: [Int64: RecordedExchange] = [:]
        for (row, exchange) in found ?? [:] {
            guard let id = numbers[row] else { continue }
            var numbered = exchange
            numbered.id = id
            byID[id] = numbered
        }
        return byID
    }

    /// A new connection in place of `closed`; when another read already replaced it, that one;
    /// none once the source was closed.
    private func reconnect(replacing closed: FleetStore) -> FleetStore? {
        guard !state.withLock({ $0.closed }) else { return nil }
        let location = closed.location
        let password = self.password
        let logger = self.logger
        guard let fresh = Self.waitFor({ try await FleetStore.open(location, password: password, logger: logger) }) else { return nil }
        let (chosen, spare) = state.withLock { state -> (FleetStore?, FleetStore?) in
            guard !state.closed else { return (nil, fresh) }
            guard state.store === closed else { return (state.store, fresh) }
            state.store = fresh
            return (fresh, nil)
        }
        if let spare { _ = Self.waitFor { await spare.close() } }
        return chosen
    }

    /// Closes the store's connection for good.
    public func close() async {
        await state.withLock { state in
            state.closed = true
            return state.store
        }.close()
    }

    /// Blocks the calling thread (one of the blocking-I/O pool's, never an event loop or the
    /// cooperative pool, which the store's own work runs on) until `work` finishes; nil on error.
    static func waitFor<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> T? {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = try? await work()
            result.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}
