import PostgresNIO
import SessproxyCore

/// What replay reads from the fleet store: the recording's index first (no bodies), then single
/// exchanges by row as requests are answered — the same split a cassette file gives replay, so
/// start-up time and memory do not grow with body sizes.
extension FleetStore {
    /// Rows fetched per statement when bodies are needed to compute keys.
    static let replayBodyBatch = 500

    /// The replay index of `recording` for `matcher`'s rules. A row's shipped key is used when
    /// `ReplayKeyPolicy` says its rules are the matcher's; other rows' keys are computed from
    /// their bodies, read in batches.
    public func replayIndex(recording: String, matcher: ReplayMatcher) async throws(FleetError) -> FleetReplayIndex {
        var index: FleetReplayIndex
        do {
            index = try await connection.withTransaction(logger: logger) { connection in
                // In the reading order straight from the by-time index, streamed as it is read:
                // left to itself the planner sorts the whole recording first (measured on 100k
                // rows: 335 ms, spilling to disk, before the first row; 138 ms in index order).
                try await connection.query("SET LOCAL enable_sort = off", logger: logger)
                let rows = try await connection.query(
                    """
                    SELECT sidecar, exchange_id, session_id, method, target, match_key, match_rules FROM sessproxy_exchange
                    WHERE recording = \(recording) ORDER BY started_at, sidecar, exchange_id
                    """, logger: logger)
                var index = FleetReplayIndex(entries: [], rows: [], computedKeys: 0)
                // Sidecar names repeat on every row: one copy of each.
                var sidecars: [String: String] = [:]
                for try await row in rows {
                    let cells = row.makeRandomAccess()
                    let name = try cells[0].decode(String.self)
                    let sidecar = sidecars[name] ?? name
                    sidecars[name] = sidecar
                    let rules = try cells[6].decode(String?.self)
                    let key = ReplayKeyPolicy.storedKeysValid(fileFingerprint: rules, for: matcher) ? try cells[5].decode(String?.self) : nil
                    index.rows.append(FleetRowID(sidecar: sidecar, exchangeID: try cells[1].decode(Int64.self)))
                    index.entries.append(
                        ReplayIndexEntry(
                            exchangeID: Int64(index.entries.count + 1), sessionID: try cells[2].decode(String?.self),
                            method: try cells[3].decode(String.self), target: try cells[4].decode(String.self), matchKey: key ?? ""))
                }
                return index
            }
        } catch {
            throw FleetError.classify(error, location: location)
        }
        guard !index.entries.isEmpty else { throw FleetError.emptyRecording(location.with(recording: recording)) }
        let missing = index.entries.indices.filter { index.entries[$0].matchKey.isEmpty }
        for start in stride(from: 0, to: missing.count, by: Self.replayBodyBatch) {
            let positions = missing[start..<min(start + Self.replayBodyBatch, missing.count)]
            let found = try await exchanges(recording: recording, rows: positions.map { index.rows[$0] })
            for position in positions {
                guard let exchange = found[index.rows[position]] else { continue }
                index.entries[position].matchKey = matcher.matchKey(for: exchange)
                index.computedKeys += 1
            }
        }
        if index.computedKeys < missing.count {
            // A row that vanished between the two reads has no key and is left out.
            index.entries.removeAll { $0.matchKey.isEmpty }
        }
        return index
    }

    /// Whole exchanges of `recording` by row, in one statement; rows not found are left out.
    /// Each keeps its sidecar's exchange id.
    public func exchanges(recording: String, rows: [FleetRowID]) async throws(FleetError) -> [FleetRowID: RecordedExchange] {
        guard !rows.isEmpty else { return [:] }
        let query: PostgresQuery = """
            SELECT \(unescaped: FleetRow.selectColumns) FROM sessproxy_exchange
            WHERE recording = \(recording)
              AND (sidecar, exchange_id) IN (SELECT * FROM unnest(\(rows.map(\.sidecar))::text[], \(rows.map(\.exchangeID))::bigint[]))
            """
        do {
            let connection = self.connection
            let logger = self.logger
            return try await withDeadline {
                var found: [FleetRowID: RecordedExchange] = [:]
                for try await row in try await connection.query(query, logger: logger) {
                    let (exchange, cursor) = try FleetRow.decode(row)
                    found[FleetRowID(sidecar: cursor.sidecar, exchangeID: cursor.exchangeID)] = exchange
                }
                return found
            }
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }
}
