import Dispatch
import SessproxyCore
import Synchronization

/// Replay's body source backed by the fleet store: each hit or miss explanation reads just the
/// rows it needs, by the numbers `FleetReplayIndex` gave them. Replay calls a source from NIO's
/// blocking-I/O pool, so a read waits there for the store's answer; a failed read is reported to
/// the engine as a missing exchange, as with a cassette.
public final class FleetReplaySource: ReplayExchangeSource {
    let store: FleetStore
    let recording: String
    let index: FleetReplayIndex

    public init(store: FleetStore, recording: String, index: FleetReplayIndex) {
        self.store = store
        self.recording = recording
        self.index = index
    }

    public func exchange(id: Int64) -> RecordedExchange? {
        exchanges(ids: [id])[id]
    }

    public func exchanges(ids: [Int64]) -> [Int64: RecordedExchange] {
        var numbers: [FleetRowID: Int64] = [:]
        for id in ids {
            if let row = index.row(of: id) { numbers[row] = id }
        }
        let store = self.store
        let recording = self.recording
        let rows = Array(numbers.keys)
        guard let found = Self.waitFor({ try await store.exchanges(recording: recording, rows: rows) }) else { return [:] }
        var byID: [Int64: RecordedExchange] = [:]
        for (row, exchange) in found {
            guard let id = numbers[row] else { continue }
            var numbered = exchange
            numbered.id = id
            byID[id] = numbered
        }
        return byID
    }

    /// Closes the store's connection.
    public func close() async {
        await store.close()
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
