import Foundation
import Logging
import SessproxyCore
import SessproxyFleet
import SessproxyStore

/// Whole-recording moves between a cassette and the fleet store: `push` (a cassette into a
/// recording, idempotent) and `pull` (a recording into a new cassette — also how every reading
/// command takes a fleet source). Reads and writes go in batches, so memory stays flat.
public enum FleetTransfer {
    public struct PushResult: Sendable {
        public var read: Int
        public var added: Int
    }

    /// Ships every exchange of `cassette` to `recording` as `sidecar`; rows already there stay
    /// as they are, so a second push adds nothing. `progress` gets (sent, total) after each batch.
    public static func push(
        _ cassette: Cassette, to location: FleetLocation, password: String?, recording: String, sidecar: String, logger: Logger,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> PushResult {
        let store = try await connect(cassette, to: location, password: password, recording: recording, sidecar: sidecar, logger: logger)
        do {
            let total = try await BlockingWork.run { try cassette.count() }
            var result = PushResult(read: 0, added: 0)
            // The next batch is read from the file while the store writes this one.
            func read(after id: Int64) -> Task<[RecordedExchange], any Error> {
                Task { try await BlockingWork.run { try cassette.exchanges(afterID: id, limit: FleetStore.batchSize * 4) } }
            }
            var next = read(after: 0)
            while true {
                let batch = try await next.value
                guard let last = batch.last?.id else { break }
                next = read(after: last)
                result.added += try await store.upsert(batch, recording: recording, sidecar: sidecar)
                result.read += batch.count
                progress(result.read, total)
            }
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    /// A connection to the fleet store on which `cassette` ships as `sidecar` of `recording`
    /// (refused when another cassette owns that sidecar id): what `push` and the shipper start with.
    static func connect(
        _ cassette: Cassette, to location: FleetLocation, password: String?, recording: String, sidecar: String, logger: Logger
    ) async throws -> FleetStore {
        let store = try await FleetStore.open(location, password: password, logger: logger)
        do {
            let cassetteID = try await BlockingWork.run { try cassette.cassetteID() }
            try await store.register(recording: recording, sidecar: sidecar, cassetteID: cassetteID)
            return store
        } catch {
            await store.close()
            throw error
        }
    }

    /// Writes the recording `location` names into the new cassette at `path`, in fleet order
    /// (time, sidecar, the sidecar's id). Returns how many exchanges it holds.
    @discardableResult
    public static func pull(
        _ location: FleetLocation, password: String?, into path: String, logger: Logger, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Int {
        guard let recording = location.recording else { throw FleetError.noRecording(location) }
        let store = try await FleetStore.open(location, password: password, logger: logger)
        do {
            let total = try await store.count(recording: recording)
            guard total > 0 else { throw FleetError.emptyRecording(location) }
            let cassette = try Cassette.openOrCreate(path: path)
            var cursor: FleetCursor?
            var written = 0
            while true {
                let page = try await store.page(recording: recording, after: cursor, limit: FleetStore.batchSize * 4)
                guard let last = page.last else { break }
                cursor = last.1
                var exchanges = page.map(\.0)
                for index in exchanges.indices { exchanges[index].id = nil }
                _ = try await cassette.insert(exchanges)
                written += exchanges.count
                progress(written, total)
            }
            try await BlockingWork.run { try cassette.checkpoint() }
            await store.close()
            return written
        } catch {
            await store.close()
            throw error
        }
    }

}
