import GRDB
import SessproxyCore

/// What replay needs of a cassette at start-up: one lightweight entry per exchange, in
/// recorded order, with match keys valid for the replay rules.
public struct CassetteReplayIndex: Sendable {
    public var entries: [ReplayIndexEntry]
    /// Keys that had to be computed from bodies (older cassettes, or other redaction rules).
    public var computedKeys: Int
    /// Whether computed keys were written back so the next start skips that work.
    public var storedComputedKeys: Bool
}

extension Cassette {
    /// Rows read per query when bodies are needed, keeping memory flat on huge cassettes.
    static let bodyBatchSize = 500

    /// The replay index for `matcher`'s rules. Stored keys are used when `ReplayKeyPolicy` says
    /// they are valid for the matcher; other rows' keys are computed from their bodies in
    /// batches and written back in one transaction when the policy allows (best effort: a
    /// read-only file still replays).
    public func replayIndex(matcher: ReplayMatcher) throws -> CassetteReplayIndex {
        let fingerprint = matcher.rulesFingerprint
        // Entries are built straight from the rows; a row without a valid stored key gets an
        // empty one for now and its position noted, to be filled in below.
        let (read, missing, storedFingerprint) = try pool.read { db -> ([ReplayIndexEntry], [(position: Int, id: Int64)], String?) in
            let storedFingerprint = try Self.storedMatchRules(db)
            let keysValid = ReplayKeyPolicy.storedKeysValid(fileFingerprint: storedFingerprint, for: matcher)
            var entries: [ReplayIndexEntry] = []
            entries.reserveCapacity(try ExchangeRecord.fetchCount(db))
            var missing: [(position: Int, id: Int64)] = []
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, session_id, method, target, match_key FROM exchange INDEXED BY exchange_replay_index
                    ORDER BY id
                    """)
            while let row = try rows.next() {
                let id: Int64 = row[0]
                let key: String? = keysValid ? row[4] : nil
                if key == nil { missing.append((entries.count, id)) }
                entries.append(ReplayIndexEntry(exchangeID: id, sessionID: row[1], method: row[2], target: row[3], matchKey: key ?? ""))
            }
            return (entries, missing, storedFingerprint)
        }

        var computed: [Int64: String] = [:]
        computed.reserveCapacity(missing.count)
        var start = 0
        while start < missing.count {
            let batch = missing[start..<min(start + Self.bodyBatchSize, missing.count)].map(\.id)
            for exchange in try exchanges(ids: batch) {
                if let id = exchange.id { computed[id] = matcher.matchKey(for: exchange) }
            }
            start += batch.count
        }

        var stored = false
        let writable = ReplayKeyPolicy.mayWriteBack(fileFingerprint: storedFingerprint, for: matcher)
        if writable, !computed.isEmpty {
            stored = (try? storeMatchKeys(computed, fingerprint: fingerprint, expecting: storedFingerprint)) ?? false
        }
        var entries = read
        var unreadable = false
        for (position, id) in missing {
            if let key = computed[id] { entries[position].matchKey = key } else { unreadable = true }
        }
        // A row that vanished between the two reads has no key and is left out.
        if unreadable { entries.removeAll { $0.matchKey.isEmpty } }
        return CassetteReplayIndex(entries: entries, computedKeys: computed.count, storedComputedKeys: stored)
    }

    /// Writes match keys computed under `fingerprint` and records that fingerprint as the
    /// file's `match_rules`, in one transaction; nothing when `match_rules` changed meanwhile.
    func storeMatchKeys(_ keys: [Int64: String], fingerprint: String, expecting storedFingerprint: String?) throws -> Bool {
        try pool.write { db in
            guard try Self.storedMatchRules(db) == storedFingerprint else { return false }
            let statement = try db.makeStatement(sql: "UPDATE exchange SET match_key = ? WHERE id = ?")
            for (id, key) in keys {
                try statement.execute(arguments: [key, id])
            }
            try db.execute(
                sql: "INSERT OR REPLACE INTO cassette_meta (key, value) VALUES (?, ?)",
                arguments: [CassetteSchema.matchRulesMetaKey, fingerprint])
            return true
        }
    }

    /// Exchanges with the given ids, in id order; ids with no row are left out.
    public func exchanges(ids: [Int64]) throws -> [RecordedExchange] {
        var found: [RecordedExchange] = []
        found.reserveCapacity(ids.count)
        var start = 0
        while start < ids.count {
            let batch = Array(ids[start..<min(start + Self.bodyBatchSize, ids.count)])
            let records = try pool.read { db in
                try ExchangeRecord.filter(keys: batch).order(Column("id")).fetchAll(db)
            }
            found += records.map(\.exchange)
            start += batch.count
        }
        return found.sorted { ($0.id ?? 0) < ($1.id ?? 0) }
    }
}
