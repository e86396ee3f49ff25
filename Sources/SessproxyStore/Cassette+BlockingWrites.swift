import GRDB
import SessproxyCore

extension Cassette {
    /// Inserts exchanges in one transaction on the calling thread and returns their ids. For the
    /// cassette writer's own thread, where a synchronous commit saves two thread hops per batch.
    func insertBlocking(_ exchanges: [RecordedExchange]) throws -> [Int64] {
        try pool.write { db in try Self.insert(exchanges, into: db) }
    }
}
