import Foundation
import GRDB
import Logging
import ServiceLifecycle
import SessproxyCore
import Testing
@testable import SessproxyStore

@Suite struct CassetteReplayIndexTests {
    static func flow(session: String, amount: Int) -> [RecordedExchange] {
        let create = RecordedExchange(
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), durationMicros: 10, method: "POST",
            target: "/payments/v1/sessions", operation: .create, sessionID: session, upstream: "https://api.klarna.com",
            requestHeaders: [], requestBody: Array(#"{"order_amount":\#(amount),"billing_address":{"email":"a@b.se"}}"#.utf8),
            status: 200, responseHeaders: [], responseBody: Array(#"{"session_id":"\#(session)"}"#.utf8), redactions: [])
        var read = create
        read.method = "GET"
        read.target = "/payments/v1/sessions/\(session)"
        read.operation = .read
        read.requestBody = []
        read.responseBody = Array(#"{"order_amount":\#(amount)}"#.utf8)
        return [create, read]
    }

    static func matchKeys(_ cassette: Cassette) async throws -> [String?] {
        try await cassette.pool.read { db in try String?.fetchAll(db, sql: "SELECT match_key FROM exchange ORDER BY id") }
    }

    @Test func insertStoresMatchKeysForTheDefaultRules() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = Self.flow(session: "s-1", amount: 100)
        _ = try await cassette.insert(exchanges)
        let matcher = ReplayMatcher()
        #expect(try await Self.matchKeys(cassette) == exchanges.map(matcher.matchKey(for:)))

        let index = try cassette.replayIndex(matcher: matcher)
        #expect(index.reading.computedKeys == 0)
        #expect(index.entries == [
            ReplayIndexEntry(exchangeID: 1, sessionID: "s-1", method: "POST", target: "/payments/v1/sessions", matchKey: matcher.matchKey(for: exchanges[0])),
            ReplayIndexEntry(exchangeID: 2, sessionID: "s-1", method: "GET", target: "/payments/v1/sessions/s-1", matchKey: matcher.matchKey(for: exchanges[1])),
        ])
    }

    @Test func theWriterStoresMatchKeys() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let writer = CassetteWriter(cassette: cassette)
        let group = ServiceGroup(configuration: .init(services: [.init(service: writer)], logger: Logger(label: "test")))
        let exchanges = Self.flow(session: "s-1", amount: 100)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for exchange in exchanges { _ = await writer.record(exchange) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(try await Self.matchKeys(cassette) == exchanges.map(ReplayMatcher().matchKey(for:)))
    }

    @Test func indexReadsFromTheCoveringIndex() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let detail = try await cassette.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id, session_id, method, target, match_key FROM exchange INDEXED BY exchange_replay_index ORDER BY id")
                .map { $0["detail"] as String }
        }
        #expect(detail.contains { $0.contains("COVERING INDEX exchange_replay_index") }, "\(detail)")
    }

    @Test func missingKeysAreBackfilledOnceWithMatchingRules() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let exchanges = Self.flow(session: "s-1", amount: 100) + Self.flow(session: "s-2", amount: 200)
        _ = try await cassette.insert(exchanges)
        try await cassette.pool.write { db in try db.execute(sql: "UPDATE exchange SET match_key = NULL WHERE id IN (2, 3)") }

        let matcher = ReplayMatcher()
        #expect(cassette.walSize > 0)
        let first = try cassette.replayIndex(matcher: matcher)
        #expect(first.reading.computedKeys == 2 && first.reading.storedComputedKeys)
        // Written back and folded into the file: nothing left in the WAL for the next opener.
        #expect(cassette.walSize == 0)
        #expect(first.entries.map(\.matchKey) == exchanges.map(matcher.matchKey(for:)))
        #expect(try await Self.matchKeys(cassette) == exchanges.map(matcher.matchKey(for:)))
        #expect(try cassette.replayIndex(matcher: matcher).reading.computedKeys == 0)
    }

    /// Read in parts, the index arrives in order, each part with its missing keys already
    /// computed, and all parts together equal the whole index.
    @Test func theIndexIsDeliveredInPartsWithTheirKeysComputed() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = (1...5).flatMap { Self.flow(session: "s-\($0)", amount: $0 * 100) }
        _ = try await cassette.insert(exchanges)
        try await cassette.pool.write { db in try db.execute(sql: "UPDATE exchange SET match_key = NULL WHERE id IN (2, 7, 10)") }
        let matcher = ReplayMatcher()
        var parts: [[ReplayIndexEntry]] = []
        let reading = try cassette.readReplayIndex(matcher: matcher, chunkSize: 3) { parts.append($0) }
        #expect(parts.map(\.count) == [3, 3, 3, 1])
        #expect(parts.joined().map(\.exchangeID) == Array(1...10))
        #expect(parts.joined().map(\.matchKey) == exchanges.map(matcher.matchKey(for:)))
        #expect(reading.computedKeys == 3 && reading.storedComputedKeys)
    }

    @Test func otherRulesComputeEveryKeyAndWriteNothing() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = Self.flow(session: "s-1", amount: 100)
        _ = try await cassette.insert(exchanges)
        let stored = try await Self.matchKeys(cassette)
        let rules = RedactionRules.klarna.extended(with: RedactionAdditions(paths: [try JSONPathPattern("order_amount")]))
        let matcher = ReplayMatcher(rules: rules)
        let index = try cassette.replayIndex(matcher: matcher)
        #expect(index.reading.computedKeys == 2 && !index.reading.storedComputedKeys)
        #expect(index.entries.map(\.matchKey) == exchanges.map(matcher.matchKey(for:)))
        #expect(index.entries[0].matchKey != stored[0])
        #expect(try await Self.matchKeys(cassette) == stored)
    }

    @Test func keysFromAnOlderMatcherAreRecomputedAndAdopted() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = Self.flow(session: "s-1", amount: 100)
        _ = try await cassette.insert(exchanges)
        try await cassette.pool.write { db in
            try db.execute(sql: "UPDATE cassette_meta SET value = 'older' WHERE key = 'match_rules'")
            try db.execute(sql: "UPDATE exchange SET match_key = 'stale'")
        }
        let matcher = ReplayMatcher()
        let index = try cassette.replayIndex(matcher: matcher)
        #expect(index.reading.computedKeys == 2 && index.reading.storedComputedKeys)
        #expect(index.entries.map(\.matchKey) == exchanges.map(matcher.matchKey(for:)))
        #expect(try await Self.matchKeys(cassette) == exchanges.map(matcher.matchKey(for:)))
        #expect(try cassette.replayIndex(matcher: matcher).reading.computedKeys == 0)
    }

    @Test func rowsWrittenUnderAnotherFingerprintGetNoKey() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        try await cassette.pool.write { db in try db.execute(sql: "UPDATE cassette_meta SET value = 'other' WHERE key = 'match_rules'") }
        _ = try await cassette.insert(Self.flow(session: "s-1", amount: 100))
        #expect(try await Self.matchKeys(cassette) == [nil, nil])
    }

    @Test func aVersion2CassetteMigratesToVersion3AndBackfills() async throws {
        let path = CassetteTests.temporaryPath()
        try OldCassetteFormats.write(version: 2, at: path)

        let cassette = try Cassette.open(path: path)
        #expect(try cassette.storedFormatVersion() == 3)
        let fingerprint = try await cassette.pool.read { db in try Cassette.storedMatchRules(db) }
        #expect(fingerprint == ReplayMatcher().rulesFingerprint)
        #expect(try await Self.matchKeys(cassette) == [nil])

        let index = try cassette.replayIndex(matcher: ReplayMatcher())
        #expect(index.reading.computedKeys == 1 && index.reading.storedComputedKeys)
        #expect(index.entries.map(\.sessionID) == ["s"])
        #expect(try await Self.matchKeys(cassette) == index.entries.map(\.matchKey))
    }

    @Test func exchangesByIDComeInIDOrder() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        _ = try await cassette.insert(Self.flow(session: "s-1", amount: 1) + Self.flow(session: "s-2", amount: 2))
        #expect(try cassette.exchanges(ids: [4, 1, 99]).map(\.id) == [1, 4])
        let source = CassetteReplaySource(cassette: cassette)
        #expect(source.exchange(id: 3)?.sessionID == "s-2")
        #expect(source.exchange(id: 99) == nil)
        #expect(source.exchanges(ids: [2, 3]).keys.sorted() == [2, 3])
    }
}
