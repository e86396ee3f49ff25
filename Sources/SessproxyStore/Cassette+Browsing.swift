import Foundation
import GRDB
import SessproxyCore
import Synchronization

/// What the inspector asks of a cassette at rest or being recorded: pages of rows (newest
/// filters applied in SQL, bodies left on disk), one session's rows, the list of sessions. Every
/// query is bounded, so memory stays flat on a 100,000-exchange cassette.
extension Cassette {
    /// One page of exchanges matching `filter`, in id order after `after`, without headers or
    /// bodies (what a list row shows). Free text searches path and bodies, case-insensitively.
    public func summaries(filter: ExchangeFilter, after: Int64?, limit: Int) throws -> [RecordedExchange] {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        if let after {
            conditions.append("id > ?")
            arguments.append(after.databaseValue)
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
        if let text = filter.text {
            let pattern = "%" + Self.escapeLike(text) + "%"
            conditions.append(#"(target LIKE ? ESCAPE '\' OR request_body LIKE ? ESCAPE '\' OR response_body LIKE ? ESCAPE '\')"#)
            arguments += Array(repeating: pattern.databaseValue, count: 3)
        }
        guard filter.text != nil else { return try summaryRows(conditions: conditions, arguments: arguments, limit: limit) }
        // Free text is the one filter no index serves: it reads every body. The two halves of
        // the id range are scanned at once, one per reader connection, and the first half's
        // rows come first (measured on 100k exchanges, 526 MB: a search that matches nothing
        // takes 0.27 s in one scan).
        let (lowest, highest) = try pool.read { db in
            (max(try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM exchange") ?? 1, (after ?? 0) + 1),
             try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM exchange") ?? 0)
        }
        guard lowest <= highest else { return [] }
        let middle = lowest + (highest - lowest) / 2
        let halves = [lowest...middle, (middle + 1)...max(highest, middle + 1)]
        let pages = Mutex<[Int: Result<[RecordedExchange], any Error>]>([:])
        let (scanConditions, scanArguments) = (conditions + ["id BETWEEN ? AND ?"], arguments)
        DispatchQueue.concurrentPerform(iterations: halves.count) { half in
            let page = Result {
                try summaryRows(
                    conditions: scanConditions,
                    arguments: scanArguments + [halves[half].lowerBound.databaseValue, halves[half].upperBound.databaseValue],
                    limit: limit)
            }
            pages.withLock { $0[half] = page }
        }
        var rows: [RecordedExchange] = []
        for half in halves.indices where rows.count < limit {
            rows += try pages.withLock { $0[half] ?? .success([]) }.get().prefix(limit - rows.count)
        }
        return rows
    }

    private func summaryRows(conditions: [String], arguments: [DatabaseValue], limit: Int) throws -> [RecordedExchange] {
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT id, started_at, duration_us, method, target, operation, session_id, status, upstream
            FROM exchange \(whereClause) ORDER BY id LIMIT ?
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

    /// `LIKE` pattern text with its wildcards taken literally.
    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
