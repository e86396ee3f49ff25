import Dispatch
import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyFleet
import SessproxyStore
import Synchronization

/// What replay answers from, whichever store holds it: the engine built from the recording's
/// index (no bodies) and the source that reads an exchange by id when a request needs it. A
/// cassette file and a fleet recording give replay the same two things, so start-up time and
/// memory depend on the number of exchanges, not on where they are or how big their bodies are.
public struct ReplayRecording: Sendable {
    public let engine: ReplayEngine
    public let source: any ReplayExchangeSource
    /// What closes the source at shutdown (a fleet store's connection), if anything.
    let services: [any Service]
    /// Keys computed from bodies while loading (rows without a usable stored key).
    public let computedKeys: Int

    /// A cassette file's recording. The index is read on this thread while the engine is built
    /// from what was read so far on another (the two take about as long as each other on a
    /// large cassette). Keys computed from bodies are written back when `ReplayKeyPolicy`
    /// allows, so the next start skips that work: a cassette opened read-only by choice
    /// (`Cassette.open(path:readingOnly:)`) is opened again for writing for that, once.
    public static func cassette(
        _ cassette: Cassette, rules: RedactionRules, options: ReplayEngine.Options = .init(), logger: Logger
    ) throws -> ReplayRecording {
        let matcher = ReplayMatcher(rules: rules)
        // The highest id, not a count: as good a size hint, without a scan before reading starts.
        let expected = Int(clamping: try cassette.lastExchangeID())
        let building = EngineBuilding(ReplayEngine.Builder(matcher: matcher, options: options, expectedCount: expected))
        var reading = try cassette.readReplayIndex(matcher: matcher) { chunk in building.add(chunk, matcher: matcher) }
        var source = cassette
        if reading.keysWorthStoring, cassette.isWritable {
            // Only the keys change: the engine built from the reading in place stays as it is.
            source = try Cassette.open(path: cassette.path)
            reading.storedComputedKeys = source.storeKeys(of: reading, matcher: matcher)
        }
        if reading.computedKeys > 0 {
            logger.info(
                "computed \(reading.computedKeys) replay match key(s) from recorded bodies",
                metadata: ["stored": "\(reading.storedComputedKeys)"])
        }
        // Closed at shutdown, the file read in place first: a `-wal` file found beside the
        // cassette is folded back and removed when the last connection that may write closes.
        let closing = ClosingAtShutdown { [cassette, source] in
            if source !== cassette { cassette.close() }
            source.close()
        }
        return ReplayRecording(
            engine: building.finish(), source: CassetteReplaySource(cassette: source), services: [closing], computedKeys: reading.computedKeys)
    }

    /// A fleet recording read in place: the index in one query, each body when it is needed.
    /// The store's connection stays open for the run and is closed at shutdown.
    public static func fleet(
        _ location: FleetLocation, password: String?, rules: RedactionRules, options: ReplayEngine.Options = .init(), logger: Logger
    ) async throws -> ReplayRecording {
        guard let recording = location.recording else { throw FleetError.noRecording(location) }
        let matcher = ReplayMatcher(rules: rules)
        let store = try await FleetStore.open(location, password: password, logger: logger)
        let index: FleetReplayIndex
        do {
            index = try await store.replayIndex(recording: recording, matcher: matcher)
        } catch {
            await store.close()
            throw error
        }
        if index.computedKeys > 0 {
            logger.info("computed \(index.computedKeys) replay match key(s) from recorded bodies (rows shipped without a key for these rules)")
        }
        let source = FleetReplaySource(store: store, recording: recording, index: index, password: password, logger: logger)
        var builder = ReplayEngine.Builder(matcher: matcher, options: options, expectedCount: index.entries.count)
        builder.add(index.entries)
        return ReplayRecording(
            engine: builder.build(), source: source, services: [ClosingAtShutdown { await source.close() }], computedKeys: index.computedKeys)
    }
}

/// An engine being built on a queue of its own from parts handed over as they are read.
private final class EngineBuilding: Sendable {
    private let builder: Mutex<ReplayEngine.Builder>
    private let queue = DispatchQueue(label: "sessproxy.replay-engine-building")

    init(_ builder: ReplayEngine.Builder) {
        self.builder = Mutex(builder)
    }

    /// Routes the part on the caller's (the reading) thread, then adds it on the queue.
    func add(_ entries: [ReplayIndexEntry], matcher: ReplayMatcher) {
        let part = ReplayEngine.Builder.RoutedPart(entries, matcher: matcher)
        queue.async { self.builder.withLock { $0.add(part) } }
    }

    /// The engine, once every part handed over so far is in.
    func finish() -> ReplayEngine {
        queue.sync { builder.withLock { $0.build() } }
    }
}
