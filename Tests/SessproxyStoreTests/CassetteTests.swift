import Foundation
import GRDB
import Logging
import ServiceLifecycle
import Synchronization
import SessproxyCore
import Testing
@testable import SessproxyStore

@Suite struct CassetteTests {
    static func temporaryPath(_ name: String = "cassette.sqlite") -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-store-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(name).path
    }

    static func sample(_ n: Int, session: String? = "s-1") -> RecordedExchange {
        RecordedExchange(
            startedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)), durationMicros: 1500, method: "POST",
            target: "/payments/v1/sessions", operation: .create, sessionID: session, upstream: "https://api.playground.klarna.com",
            requestHeaders: [HeaderField(name: "Content-Type", value: "application/json")],
            requestBody: Array(#"{"order_amount":\#(n)}"#.utf8), status: 200,
            responseHeaders: [HeaderField(name: "Content-Encoding", value: "gzip")],
            responseBody: Array(#"{"session_id":"s-1"}"#.utf8), responseEncoding: "gzip", redactions: ["request.header.authorization"])
    }

    @Test func createsWithMode0600AndRoundTripsExchanges() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        let ids = try await cassette.insert([Self.sample(1), Self.sample(2)])
        #expect(ids == [1, 2])
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        let stored = try cassette.allExchanges()
        var expected = Self.sample(1)
        expected.id = 1
        #expect(stored.first == expected)
        #expect(try cassette.storedFormatVersion() == Cassette.formatVersion)
    }

    /// Replay's narrow read gives the same answer parts as the full row, for text and binary
    /// bodies, and a clear error for a missing id.
    @Test func responseReadMatchesTheFullRow() async throws {
        let cassette = try Cassette.openOrCreate(path: Self.temporaryPath())
        var binary = Self.sample(2)
        binary.responseBody = [0xFF, 0x00, 0x1F, 0x8B]
        binary.status = 502
        let ids = try await cassette.insert([Self.sample(1), binary])
        for id in ids {
            #expect(try cassette.response(id: id) == RecordedResponse(of: try cassette.exchange(id: id)))
        }
        #expect(try cassette.response(id: ids[1]).body == [0xFF, 0x00, 0x1F, 0x8B])
        #expect(throws: CassetteError.self) { try cassette.response(id: 99) }
    }

    /// The answer reader's own connections see rows committed after their first read, are
    /// shared by threads reading at once, and read while another connection holds the write lock.
    @Test func answerReadsSeeLaterCommitsAndRunConcurrently() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        var empty = Self.sample(1)
        empty.responseBody = []
        let first = try await cassette.insert([empty])
        #expect(try cassette.response(id: first[0]).body == [])
        #expect(throws: CassetteError.exchangeNotFound(path: path, id: 2)) { try cassette.response(id: 2) }
        let later = try await cassette.insert((2...40).map { Self.sample($0) })
        let expected = try later.map { try RecordedResponse(of: cassette.exchange(id: $0)) }

        // Held within one access of the holder's: GRDB ends an access only with its transaction.
        let holder = try DatabaseQueue(path: path)
        let reads = try holder.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let results = Mutex([Bool](repeating: false, count: 8))
            DispatchQueue.concurrentPerform(iterations: 8) { round in
                let allMatch = later.indices.allSatisfy { index in
                    let offset = (index + round * 5) % later.count
                    return (try? cassette.response(id: later[offset])) == expected[offset]
                }
                results.withLock { $0[round] = allMatch }
            }
            try db.execute(sql: "ROLLBACK")
            return results.withLock { $0 }
        }
        #expect(reads == Array(repeating: true, count: 8))
    }

    /// The checkpointer's view of the `-wal` file's size agrees with the file system's, and is 0
    /// once the file is gone.
    @Test func walSizeIsTheWALFilesSize() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        try cassette.disableAutomaticCheckpoints()
        _ = try await cassette.insert((1...20).map { Self.sample($0) })
        let listed = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
        #expect(cassette.walSize > 0)
        #expect(cassette.walSize == listed)
        try FileManager.default.removeItem(atPath: path + "-wal")
        #expect(cassette.walSize == 0)
    }

    @Test func bodiesAreQueryableAsJSONFromSQL() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        _ = try await cassette.insert([Self.sample(42)])
        let amount = try await cassette.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT json_extract(request_body, '$.order_amount') FROM exchange")
        }
        #expect(amount == 42)
    }

    @Test func migratesAVersion1Cassette() async throws {
        let path = Self.temporaryPath()
        try OldCassetteFormats.write(version: 1, at: path)
        let cassette = try Cassette.open(path: path)
        #expect(try cassette.storedFormatVersion() == 3)
        let exchange = try #require(try cassette.allExchanges().first)
        #expect(exchange.operation == .read && exchange.responseEncoding == nil && exchange.responseJSON?["status"] == "incomplete")
    }

    @Test func refusesFilesThatAreNotCassettes() throws {
        let missing = Self.temporaryPath()
        #expect(throws: CassetteError.missing(path: missing)) { try Cassette.open(path: missing) }

        let garbage = Self.temporaryPath("garbage.sqlite")
        _ = FileManager.default.createFile(atPath: garbage, contents: Data("hello, not sqlite".utf8))
        #expect(throws: CassetteError.notACassette(path: garbage, reason: "not a SQLite database")) { try Cassette.open(path: garbage) }

        let empty = Self.temporaryPath("empty.sqlite")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(throws: CassetteError.notACassette(path: empty, reason: "empty file")) { try Cassette.open(path: empty) }
        #expect(throws: CassetteError.notACassette(path: "/dev/zero", reason: "not a regular file")) { try Cassette.open(path: "/dev/zero") }
        let fifo = Self.temporaryPath("fifo.sqlite")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: CassetteError.notACassette(path: fifo, reason: "not a regular file")) { try Cassette.openOrCreate(path: fifo) }
        // Recording into it makes it the cassette (`touch checkout.sqlite` ahead of a run).
        let made = try Cassette.openOrCreate(path: empty)
        #expect(try made.count() == 0 && made.storedFormatVersion() == Cassette.formatVersion)

        let other = Self.temporaryPath("other.sqlite")
        let queue = try DatabaseQueue(path: other)
        try queue.write { db in try db.execute(sql: "CREATE TABLE customers (id INTEGER)") }
        try queue.close()
        #expect(throws: CassetteError.notACassette(path: other, reason: "no sessproxy tables")) { try Cassette.open(path: other) }
        // Refused without being touched: the other application's database keeps its journal mode.
        let journalMode = try DatabaseQueue(path: other).read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(journalMode == "delete")
    }

    /// A cassette this user may only read (a read-only mount, someone else's file) is reported
    /// as such, not as "not a cassette". Checked on the mapping: tests run as root, whom file
    /// modes do not stop.
    @Test func aReadOnlyCassetteIsReportedAsReadOnly() {
        let readOnly = DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database")
        guard case .unreadable(let path, let reason) = Cassette.openingError(readOnly, path: "x.sqlite") else {
            Issue.record("\(Cassette.openingError(readOnly, path: "x.sqlite"))")
            return
        }
        #expect(path == "x.sqlite" && reason.hasPrefix("read-only"))
        let corrupt = DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed")
        #expect(Cassette.openingError(corrupt, path: "x.sqlite") == .notACassette(path: "x.sqlite", reason: "database disk image is malformed"))
    }

    /// Where this user may not write (decided by `access`, which root passes, so the test opens
    /// read-only itself; e2e runs it as another user), a cassette is read through SQLite's
    /// `immutable` mode: everything reads, nothing is written — no `-wal` or `-shm` beside it,
    /// no replay keys written back — and a write is refused.
    @Test func aCassetteThatMayOnlyBeReadIsReadWithoutWritingAnything() async throws {
        let folder = Self.temporaryPath("my cassettes #1")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/c?.sqlite"
        do {
            let cassette = try Cassette.openOrCreate(path: path)
            _ = try await cassette.insert([Self.sample(1), Self.sample(2)])
            // Rows without a stored key, so that reading the replay index computes keys.
            try await cassette.pool.write { db in try db.execute(sql: "UPDATE exchange SET match_key = NULL") }
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))

        let cassette = try Cassette.open(path: path, isNew: false, readOnly: true)
        #expect(cassette.isReadOnly)
        #expect(try cassette.count() == 2)
        #expect(try cassette.allExchanges().map(\.requestBody) == [Self.sample(1).requestBody, Self.sample(2).requestBody])
        #expect(try cassette.response(id: 2) == RecordedResponse(of: try cassette.exchange(id: 2)))
        let index = try cassette.replayIndex(matcher: ReplayMatcher(rules: .klarna))
        #expect(index.entries.count == 2 && index.reading.computedKeys == 2 && !index.reading.storedComputedKeys)
        await #expect(throws: (any Error).self) { try await cassette.insert([Self.sample(3)]) }

        // A path starting with `//` is a path, not a URI's host.
        #expect(try Cassette.open(path: "/" + path, isNew: false, readOnly: true).count() == 2)

        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal") && !FileManager.default.fileExists(atPath: path + "-shm"))
        #expect(try !Cassette.open(path: path).isReadOnly)
    }

    /// `immutable` is only sound while nobody writes the file: a `-wal` beside it (a recorder
    /// running, or killed) is refused, naming what to do.
    @Test func aReadOnlyCassetteWithAWALBesideItIsRefused() throws {
        let path = Self.temporaryPath()
        _ = try Cassette.openOrCreate(path: path)
        _ = FileManager.default.createFile(atPath: path + "-wal", contents: Data())
        #expect {
            try Cassette.open(path: path, isNew: false, readOnly: true)
        } throws: { error in
            guard case CassetteError.unreadable(_, let reason) = error else { return false }
            return reason.contains("-wal file") && reason.contains("open it once where it can be written")
        }
    }

    @Test func refusesANewerFormat() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        try await cassette.pool.write { db in try db.execute(sql: "UPDATE cassette_meta SET value = '99' WHERE key = 'format_version'") }
        #expect(throws: CassetteError.newerFormat(path: path, found: 99, supported: Cassette.formatVersion)) { try Cassette.open(path: path) }
    }

    @Test func writerGroupCommitsConcurrentExchanges() async throws {
        let path = Self.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        // Group commit is under test, not the pending bound: on a starved machine the first
        // commit can take longer than the default second.
        let writer = CassetteWriter(cassette: cassette, limits: .init(pendingAfterNanos: 60_000_000_000))
        let group = ServiceGroup(configuration: .init(services: [.init(service: writer)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let ids = await withTaskGroup(of: RecordOutcome.self, returning: [Int64].self) { writers in
                for n in 0..<200 { writers.addTask { await writer.record(Self.sample(n)) } }
                return await writers.reduce(into: []) { ids, outcome in
                    if case .committed(let id) = outcome { ids.append(id) }
                }
            }
            #expect(Set(ids).count == 200)
            // Every caller resumed only after its row was committed: visible to a fresh reader now.
            #expect(try Cassette.open(path: path).count() == 200)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(writer.recordedCount == 200)
        #if os(Linux)
        // Its commits wait for a free core instead of preempting a running thread.
        #expect(writer.commitsOnBatchThread)
        #endif
        guard case .failed = await writer.record(Self.sample(1)) else {
            Issue.record("a stopped writer took an exchange")
            return
        }
        #expect(try cassette.integrityCheck() == "ok")
    }
}

/// The writer's batches commit all or nothing, on statements the connection keeps prepared.
@Suite struct CassetteBatchTransactionTests {
    @Test func aBatchThatFailsHalfwayLeavesNothingAndTheNextOneCommits() throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        // Another connection's trigger refuses one row, as a full disk or a broken file would.
        try DatabaseQueue(path: cassette.path).write { db in
            try db.execute(sql: """
                CREATE TRIGGER refuse_marked BEFORE INSERT ON exchange WHEN NEW.target = '/refused'
                BEGIN SELECT RAISE(ABORT, 'refused for the test'); END
                """)
        }
        var refused = CassetteTests.sample(2)
        refused.target = "/refused"
        #expect(throws: DatabaseError.self) { try cassette.insertBlocking([CassetteTests.sample(1), refused]) }
        #expect(try cassette.allExchanges().isEmpty)
        let leftOpen = cassette.pool.writeWithoutTransaction { db in db.isInsideTransaction }
        #expect(!leftOpen)

        let ids = try cassette.insertBlocking([CassetteTests.sample(3), CassetteTests.sample(4)])
        #expect(ids.count == 2)
        #expect(try cassette.allExchanges().map(\.id) == ids)
        // Again, through the statements prepared by the first batches.
        #expect(try cassette.insertBlocking([CassetteTests.sample(5)]).count == 1)
        #expect(try cassette.allExchanges().count == 3)
    }

    /// A run that opened a cassette for writing leaves no `-wal` or `-shm` once it closes it,
    /// although GRDB closes a pool's writer before its readers; while another connection holds
    /// the file (a recorder), both stay.
    @Test func closingACassetteFoldsItsLogBackUnlessAnotherHolderHasIt() async throws {
        let path = CassetteTests.temporaryPath()
        let cassette = try Cassette.openOrCreate(path: path)
        _ = try await cassette.insert([CassetteTests.sample(1), CassetteTests.sample(2)])
        _ = try cassette.allExchanges()
        let holder = try Cassette.open(path: path)
        _ = try holder.allExchanges()
        cassette.close()
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "removed under another holder")
        holder.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-wal") && !FileManager.default.fileExists(atPath: path + "-shm"))
        let reopened = try Cassette.open(path: path)
        #expect(try reopened.allExchanges().count == 2)
        reopened.close()
    }
}
