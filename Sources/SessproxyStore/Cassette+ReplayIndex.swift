import GRDB
import SessproxyCore

extension Cassette {
    /// Rows read per query when bodies are needed, keeping memory flat on huge cassettes.
    static let bodyBatchSize = 500

    /// The whole replay index for `matcher`'s rules (see `readReplayIndex`).
    public func replayIndex(matcher: ReplayMatcher) throws -> CassetteReplayIndex {
        var entries: [ReplayIndexEntry] = []
        let reading = try readReplayIndex(matcher: matcher) { entries += $0 }
        return CassetteReplayIndex(entries: entries, reading: reading)
    }

    /// Reads the replay index for `matcher`'s rules in one read transaction, handing it to
    /// `deliver` in recorded order, `chunkSize` entries at a time, so that whoever builds from
    /// it can work while the rest is read. Stored keys are used when `ReplayKeyPolicy` says they
    /// are valid for the matcher; a chunk's other rows get keys computed from their bodies
    /// before it is delivered, and those keys are written back in one transaction at the end
    /// when the policy allows and the file is not read-only here (best effort: when the
    /// write-back fails, replay goes on without it).
    public func readReplayIndex(
        matcher: ReplayMatcher, chunkSize: Int = 4096, deliver: ([ReplayIndexEntry]) throws -> Void
    ) throws -> ReplayIndexReading {
        let (computed, storedFingerprint) = try pool.read { db -> ([Int64: String], String?) in
            let storedFingerprint = try Self.storedMatchRules(db)
            let keysValid = ReplayKeyPolicy.storedKeysValid(fileFingerprint: storedFingerprint, for: matcher)
            var computed: [Int64: String] = [:]
            var chunk: [ReplayIndexEntry] = []
            chunk.reserveCapacity(chunkSize)
            var missing: [(position: Int, id: Int64)] = []
            func flush() throws {
                if !missing.isEmpty {
                    let keys = try Self.computeMatchKeys(db, ids: missing.map(\.id), matcher: matcher)
                    for (position, id) in missing {
                        chunk[position].matchKey = keys[id] ?? ""
                        computed[id] = keys[id]
                    }
                    chunk.removeAll { $0.matchKey.isEmpty }
                    missing.removeAll(keepingCapacity: true)
                }
                try deliver(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, session_id, method, target, match_key FROM exchange INDEXED BY exchange_replay_index
                    ORDER BY id
                    """)
            while let row = try rows.next() {
                let id: Int64 = row[0]
                let key: String? = keysValid ? row[4] : nil
                if key == nil { missing.append((chunk.count, id)) }
                chunk.append(ReplayIndexEntry(exchangeID: id, sessionID: row[1], method: row[2], target: row[3], matchKey: key ?? ""))
                if chunk.count == chunkSize { try flush() }
            }
            if !chunk.isEmpty { try flush() }
            return (computed, storedFingerprint)
        }

        var stored = false
        let worthStoring = ReplayKeyPolicy.mayWriteBack(fileFingerprint: storedFingerprint, for: matcher) && !computed.isEmpty
        if !isReadOnly, worthStoring {
            stored = storeComputedKeys(computed, matcher: matcher, expecting: storedFingerprint)
        }
        return ReplayIndexReading(
            computedKeys: computed.count, storedComputedKeys: stored, unstoredKeys: worthStoring && isReadOnly ? computed : [:],
            storedFingerprint: storedFingerprint)
    }

    /// Stores the keys a reading of this file in place computed and could not store (this
    /// opening must be able to write); whether they were stored.
    public func storeKeys(of reading: ReplayIndexReading, matcher: ReplayMatcher) -> Bool {
        guard !isReadOnly, !reading.unstoredKeys.isEmpty else { return false }
        return storeComputedKeys(reading.unstoredKeys, matcher: matcher, expecting: reading.storedFingerprint)
    }

    /// Best effort: when the write fails, replay goes on without it.
    private func storeComputedKeys(_ keys: [Int64: String], matcher: ReplayMatcher, expecting storedFingerprint: String?) -> Bool {
        let stored = (try? storeMatchKeys(keys, fingerprint: matcher.rulesFingerprint, expecting: storedFingerprint)) ?? false
        // The keys rewrote most of the file's pages into the WAL (~530 MB for 86,000 keys of a
        // 100k cassette). Folded back and truncated now, since a process that ends without
        // closing the file leaves them there, and the next one to open it rebuilds its wal-index
        // from every frame first (a start of ~600 ms instead of 150–250 ms).
        if stored { foldWALBack() }
        return stored
    }

    /// Match keys of the rows with these ids, computed from their bodies in batches.
    private static func computeMatchKeys(_ db: Database, ids: [Int64], matcher: ReplayMatcher) throws -> [Int64: String] {
        var keys: [Int64: String] = [:]
        keys.reserveCapacity(ids.count)
        for start in stride(from: 0, to: ids.count, by: bodyBatchSize) {
            let batch = Array(ids[start..<min(start + bodyBatchSize, ids.count)])
            for record in try ExchangeRecord.filter(keys: batch).fetchAll(db) {
                if let id = record.id { keys[id] = matcher.matchKey(for: record.exchange) }
            }
        }
        return keys
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
