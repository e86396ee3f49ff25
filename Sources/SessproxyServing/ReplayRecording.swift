import Logging
import ServiceLifecycle
import SessproxyCore
import SessproxyFleet
import SessproxyStore

/// What replay answers from, whichever store holds it: the index loaded at start (no bodies)
/// and the source that reads an exchange by id when a request needs it. A cassette file and a
/// fleet recording give replay the same two things, so start-up time and memory depend on the
/// number of exchanges, not on where they are or how big their bodies are.
public struct ReplayRecording: Sendable {
    public let index: [ReplayIndexEntry]
    public let source: any ReplayExchangeSource
    /// What closes the source at shutdown (a fleet store's connection), if anything.
    let services: [any Service]

    /// Keys computed from bodies while loading (rows without a usable stored key).
    public let computedKeys: Int

    /// A cassette file's recording. Keys computed from bodies are written back when
    /// `ReplayKeyPolicy` allows, so the next start skips that work.
    public static func cassette(_ cassette: Cassette, matcher: ReplayMatcher, logger: Logger) throws -> ReplayRecording {
        let index = try cassette.replayIndex(matcher: matcher)
        if index.computedKeys > 0 {
            logger.info(
                "computed \(index.computedKeys) replay match key(s) from recorded bodies",
                metadata: ["stored": "\(index.storedComputedKeys)"])
        }
        return ReplayRecording(index: index.entries, source: CassetteReplaySource(cassette: cassette), services: [], computedKeys: index.computedKeys)
    }

    /// A fleet recording read in place: the index in one query, each body when it is needed.
    /// The store's connection stays open for the run and is closed at shutdown.
    public static func fleet(_ location: FleetLocation, password: String?, matcher: ReplayMatcher, logger: Logger) async throws -> ReplayRecording {
        guard let recording = location.recording else { throw FleetError.noRecording(location) }
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
        let source = FleetReplaySource(store: store, recording: recording, index: index)
        return ReplayRecording(
            index: index.entries, source: source, services: [ClosingAtShutdown { await source.close() }], computedKeys: index.computedKeys)
    }
}
