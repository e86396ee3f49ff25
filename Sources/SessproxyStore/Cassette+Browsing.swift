import Foundation
import GRDB
import SessproxyCore
import Synchronization

/// What the inspector asks of a cassette at rest or being recorded: pages of rows (newest
/// filters applied in SQL, bodies left on disk), one session's rows, the list of sessions. Every
/// query is bounded, so memory stays flat on a 100,000-exchange cassette.
extension Cassette {
    /// One page of exchanges matching `filter` from `anchor`, in id order, without headers or
    /// bodies (what a list row shows). Free text searches path and bodies, case-insensitively.
    public func summaries(filter: ExchangeFilter, from anchor: PageAnchor, limit: Int) throws -> [RecordedExchange] {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        let (above, below) = anchor.exclusiveBounds
        if let above {
            conditions.append("id > ?")
            arguments.append(above.databaseValue)
        }
        if let below {
            conditions.append("id < ?")
            arguments.append(below.databaseValue)
        }
        if let operation = filter.operation {
            conditions.append("operation = ?")
            arguments.append(operation.rawValue.databaseValue)
        }
        if let status = filter.status {
            conditions.append("status BETWEEN ? AND ?")
            arguments += [status.range.lowerBound.databaseValue, status.range.upperBound.databaseValue]
        }
        if let session = filter.sessionID {
            conditions.append("session_id = ?")
            arguments.append(session.databaseValue)
        }
        if filter.text != nil {
            // The path as typed or percent-encoded; the bodies in every spelling a JSON encoder
            // may have written.
            var matches: [String] = []
            for spelling in filter.targetSpellings {
                matches.append(#"target LIKE ? ESCAPE '\'"#)
                arguments.append(Self.likePattern(containing: spelling).databaseValue)
            }
            for spelling in filter.bodySpellings {
                matches.append(#"request_body LIKE ? ESCAPE '\' OR response_body LIKE ? ESCAPE '\'"#)
                arguments += Array(repeating: Self.likePattern(containing: spelling).databaseValue, count: 2)
            }
            conditions.append("(" + matches.joined(separator: " OR ") + ")")
        }
        let backward = anchor.isBackward
        guard filter.text != nil else {
            let rows = try summaryRows(conditions: conditions, arguments: arguments, backward: backward, limit: limit)
            return backward ? rows.reversed() : rows
        }
        // Free text is the one filter no index serves: it reads every body. The two halves of
        // the id range are scanned at once, one per reader connection, and the half nearer the
        // anchor's side comes first (measured on 100k exchanges, 526 MB: a search that matches
        // nothing takes 0.27 s in one scan).
        var (lowest, highest) = try pool.read { db in
            (try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM exchange") ?? 1, try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM exchange") ?? 0)
        }
        if let above {
            guard above < highest else { return [] }
            lowest = max(lowest, above + 1)
        }
        if let below {
            guard below > lowest else { return [] }
            highest = min(highest, below - 1)
        }
        guard lowest <= highest else { return [] }
        let middle = lowest + Int64(bitPattern: UInt64(bitPattern: highest &- lowest) / 2)
        let inOrder = middle < highest ? [lowest...middle, (middle + 1)...highest] : [lowest...middle]
        let halves = backward ? Array(inOrder.reversed()) : inOrder
        let pages = Mutex<[Int: Result<[RecordedExchange], any Error>]>([:])
        let (scanConditions, scanArguments) = (conditions + ["id BETWEEN ? AND ?"], arguments)
        DispatchQueue.concurrentPerform(iterations: halves.count) { half in
            let page = Result {
                try summaryRows(
                    conditions: scanConditions,
                    arguments: scanArguments + [halves[half].lowerBound.databaseValue, halves[half].upperBound.databaseValue],
                    backward: backward, limit: limit)
            }
            pages.withLock { $0[half] = page }
        }
        var rows: [RecordedExchange] = []
        for half in halves.indices where rows.count < limit {
            rows += try pages.withLock { $0[half] ?? .success([]) }.get().prefix(limit - rows.count)
        }
        return backward ? rows.reversed() : rows
    }

    /// Rows in id order, or newest first when going back.
    private func summaryRows(conditions: [String], arguments: [DatabaseValue], backward: Bool, limit: Int) throws -> [RecordedExchange] {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT id, started_at, duration_us, method, target, operation, session_id, status, upstream
            FROM exchange \(whereClause) ORDER BY id\(backward ? " DESC" : "") LIMIT ?
            """
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments + [limit.databaseValue])).map { row in
                RecordedExchange(
                    id: row[0], startedAt: Timestamp.parse(row[1]) ?? Date(timeIntervalSince1970: 0), durationMicros: row[2],
                    method: row[3], target: row[4], operation: KlarnaOperation(rawValue: row[5]) ?? .other, sessionID: row[6],
                    upstream: row[8], requestHeaders: [], requestBody: [], status: row[7], responseHeaders: [], responseBody: [])
            }
        }
    }

    /// Every exchange of one session, in order (through the session index).
    public func exchanges(inSession sessionID: String) throws -> [RecordedExchange] {
        try pool.read { db in
            try ExchangeRecord.filter(Column("session_id") == sessionID).order(Column("id")).fetchAll(db).map(\.exchange)
        }
    }

    /// Sessions in order of first appearance, with how many calls each has, one page at a time.
    public func sessionList(after: Int64?, limit: Int) throws -> [(sessionID: String, firstExchangeID: Int64, calls: Int)] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT session_id, MIN(id) AS first, COUNT(*) FROM exchange
                    WHERE session_id IS NOT NULL AND operation <> 'other'
                    GROUP BY session_id HAVING first > ? ORDER BY first LIMIT ?
                    """,
                arguments: [after ?? 0, limit]
            ).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// A `LIKE` pattern that finds `text` anywhere.
    static func likePattern(containing text: String) -> String {
        "%" + escapeLike(text) + "%"
    }

    /// `LIKE` pattern text with its wildcards taken literally; by scalar, since a combining
    /// mark after `%` makes one `Character` of both.
    static func escapeLike(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }
}
