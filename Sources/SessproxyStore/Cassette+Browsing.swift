import Foundation
import GRDB
import SessproxyCore

/// What the inspector asks of a cassette at rest or being recorded: pages of rows (newest
/// filters applied in SQL, bodies left on disk), one session's rows, the list of sessions. Every
/// query is bounded, so memory stays flat on a 100,000-exchange cassette.
extension Cassette {
    /// One page of exchanges matching `filter`, in id order after `after`, without headers or
    /// bodies (what a list row shows). Free text searches path and bodies, case-insensitively.
    public func summaries(filter: ExchangeFilter, after: Int64?, limit: Int) throws -> [RecordedExchange] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let after {
            conditions.append("id > ?")
            arguments.append(after)
        }
        if let operation = filter.operation {
            conditions.append("operation = ?")
            arguments.append(operation.rawValue)
        }
        if let status = filter.status {
            conditions.append("status BETWEEN ? AND ?")
            arguments += [status.range.lowerBound, status.range.upperBound]
        }
        if let session = filter.sessionID {
            conditions.append("session_id = ?")
            arguments.append(session)
        }
        if let text = filter.text {
            let pattern = "%" + Self.escapeLike(text) + "%"
            conditions.append(#"(target LIKE ? ESCAPE '\' OR request_body LIKE ? ESCAPE '\' OR response_body LIKE ? ESCAPE '\')"#)
            arguments += [pattern, pattern, pattern]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT id, started_at, duration_us, method, target, operation, session_id, status, upstream
            FROM exchange \(whereClause) ORDER BY id LIMIT ?
            """
        arguments.append(limit)
        return try pool.read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
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
