import Foundation
import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyFleet
import SessproxyStore
import Synchronization

/// Ships a cassette's committed exchanges to the fleet store in the background, in id order, in
/// batches, and remembers in the cassette how far it got after each batch: a restart, `kill -9` or
/// database outage resumes there, and a batch sent twice is one set of rows (the store keys rows by
/// recording, sidecar and exchange id). The request path never waits for it: recording commits to
/// SQLite as always, and a database that is down at start or goes away only delays shipping (health
/// says so). At graceful shutdown it ships what the writer committed last, for at most 10 s.
public final class FleetShipper: Service, Sendable {
    let cassette: Cassette
    let location: FleetLocation
    let password: String?
    let recording: String
    let sidecar: String
    let logger: Logger
    let pollInterval: Duration
    private let state: Mutex<FleetShippingStatus>

    /// Rows read from the cassette and written to the store per batch.
    static let batchSize = 500

    public init(
        cassette: Cassette, location: FleetLocation, password: String?, recording: String, sidecar: String, logger: Logger,
        pollInterval: Duration = .milliseconds(100)
    ) {
        self.cassette = cassette
        self.location = location
        self.password = password
        self.recording = recording
        self.sidecar = sidecar
        self.logger = logger
        self.pollInterval = pollInterval
        self.state = Mutex(FleetShippingStatus(destination: location.with(recording: recording).description + " as " + sidecar))
    }

    public var status: FleetShippingStatus { state.withLock { $0 } }

    /// The key under which the cassette remembers this destination's progress.
    var destination: String { "\(location.host):\(location.port)/\(location.database)#\(recording)@\(sidecar)" }

    public func run() async throws {
        var failures = 0
        while !Task.isCancelled {
            do {
                let store = try await FleetTransfer.connect(
                    cassette, to: location, password: password, recording: recording, sidecar: sidecar, logger: logger)
                do {
                    state.withLock {
                        $0.connected = true
                        $0.lastError = nil
                    }
                    if failures > 0 { logger.notice("fleet store reachable again: shipping to \(location.with(recording: recording))") }
                    failures = 0
                    try await shipUntilShutdown(store)
                    await store.close()
                    return
                } catch {
                    await store.close()
                    throw error
                }
            } catch let refusal as FleetError where refusal.refusesThisSidecar {
                let message = refusal.description
                logger.error("not shipping: \(message)")
                state.withLock {
                    $0.connected = false
                    $0.lastError = message
                }
                // Refused for good: record on, ship nothing, until stopped; what waits is still told.
                await waitKeepingBacklogCurrent(for: nil)
                return
            } catch {
                failures += 1
                let message = (error as? FleetError)?.description ?? "\(error)"
                state.withLock {
                    $0.connected = false
                    $0.lastError = message
                }
                if failures == 1 { logger.warning("fleet store: \(message); recording goes on and ships when it is back") }
                await waitKeepingBacklogCurrent(for: FleetShippingStatus.retryDelay(afterFailures: failures))
                if Task.isShuttingDownGracefully { return }
            }
        }
    }

    /// Ships batches while there are any, polls when there are none; on graceful shutdown ships
    /// what is left (bounded) and returns.
    private func shipUntilShutdown(_ store: FleetStore) async throws {
        while true {
            let shipped = try await shipBatch(store)
            if Task.isShuttingDownGracefully {
                let deadline = ContinuousClock.now + .seconds(10)
                while try await shipBatch(store) > 0, ContinuousClock.now < deadline {}
                return
            }
            if shipped == 0 {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
            }
        }
    }

    /// One batch: read after the remembered point, write, remember. Returns how many went out.
    private func shipBatch(_ store: FleetStore) async throws -> Int {
        let destination = self.destination
        let (batch, through, last) = try await BlockingWork.run { [cassette] in
            let through = try cassette.shippedThrough(destination)
            return (try cassette.exchanges(afterID: through, limit: Self.batchSize), through, try cassette.lastExchangeID())
        }
        guard let newest = batch.last?.id else {
            state.withLock {
                $0.pending = max(0, last - through)
                $0.lagSeconds = 0
            }
            return 0
        }
        try await store.upsert(batch, recording: recording, sidecar: sidecar)
        let oldestWaiting = try await BlockingWork.run { [cassette] in
            try cassette.recordShipped(through: newest, to: destination)
            return try cassette.startOfFirstExchange(afterID: newest)
        }
        state.withLock {
            $0.shipped += batch.count
            $0.pending = max(0, last - newest)
            $0.lagSeconds = oldestWaiting.map { max(0, Date().timeIntervalSince($0)) } ?? 0
        }
        return batch.count
    }

    /// Waits `delay` (nil: until shutdown) while nothing ships, refreshing the pending count and
    /// lag every poll, at most once a second (three small reads of the cassette each): health
    /// and metrics must show the backlog growing, or an alert on them would never fire while the
    /// store is down or refuses this sidecar.
    private func waitKeepingBacklogCurrent(for delay: Duration?) async {
        let end = delay.map { ContinuousClock.now + $0 }
        let every = max(pollInterval, .seconds(1))
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await refreshBacklog()
            let left = end.map { $0 - ContinuousClock.now } ?? every
            guard left > .zero else { return }
            let step = min(left, every)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: step) }
        }
    }

    /// Pending count and lag while the store cannot be reached (nothing ships, so nothing else updates them).
    private func refreshBacklog() async {
        let destination = self.destination
        guard let (through, last, oldest) = try? await BlockingWork.run({ [cassette] in
            let through = try cassette.shippedThrough(destination)
            return (through, try cassette.lastExchangeID(), try cassette.startOfFirstExchange(afterID: through))
        }) else { return }
        state.withLock {
            $0.pending = max(0, last - through)
            $0.lagSeconds = oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0
        }
    }

}
