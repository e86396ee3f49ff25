import Foundation
import GRDB
import GRDBSQLite
import SessproxyCore

#if canImport(Glibc)
import Glibc
#endif

/// A SQLite cassette file: one row per exchange, WAL journal, `synchronous=NORMAL` (a process
/// crash loses nothing committed; only a power loss can lose the last commits). Files are
/// created with mode 0600 because even redacted traffic is nobody else's business.
public final class Cassette: Sendable {
    public let path: String
    /// Whether this opening only reads: `open(path:)` on a file or folder this user may not
    /// write (e.g. a read-only mount in a test container), or `open(path:readingOnly: true)` on
    /// a file nobody has open for writing. SQLite then opens the file `immutable`, without the
    /// `-shm` and locks that WAL needs, and nothing is written to it or beside it.
    public let isReadOnly: Bool
    /// Whether this user may write the file and its folder (`isWritableHere`), whichever way
    /// it was opened: a reader that finds work worth keeping (replay's computed keys) may open
    /// it again for writing.
    public let isWritable: Bool
    let pool: DatabasePool
    /// Replay's reads of one answer by id, outside the pool (`CassetteAnswerReader`).
    private let answers: CassetteAnswerReader
    /// The `-shm` wal-index and the `-wal` log, each on a descriptor kept open while the
    /// cassette is (`KeptOpenFile`), for the checkpointer.
    private let walIndex: KeptOpenFile
    let walFile: KeptOpenFile

    /// The format this build writes and the newest it reads.
    public static let formatVersion = CassetteSchema.formatVersion

    private init(path: String, location: String, pool: DatabasePool, isReadOnly: Bool) {
        self.path = path
        self.isReadOnly = isReadOnly
        self.isWritable = Self.isWritableHere(path)
        self.pool = pool
        self.answers = CassetteAnswerReader(path: path, location: location)
        self.walIndex = KeptOpenFile(path: path + "-shm")
        self.walFile = KeptOpenFile(path: path + "-wal")
    }

    /// Closes every connection to the cassette. When no other process has it open, a cassette
    /// opened for writing is then folded back whole and its `-wal` and `-shm` files removed, so
    /// that a run leaves nothing beside it. For the end of a run.
    public func close() {
        answers.close()
        try? pool.close()
        if !isReadOnly { Self.removeLogIfAlone(path: path) }
    }

    /// The files a cassette at `path` is made of: the database, its `-wal` log and its `-shm`
    /// wal-index.
    public static func files(at path: String) -> [String] {
        [path, path + "-wal", path + "-shm"]
    }

    /// Removes a cassette's files, those that exist (a run that made it and recorded nothing,
    /// a demo starting over).
    public static func removeFiles(at path: String) {
        for file in files(at: path) { try? FileManager.default.removeItem(atPath: file) }
    }

    /// Opens an existing cassette (migrating an older format forward) or creates a new one.
    public static func openOrCreate(path: String) throws(CassetteError) -> Cassette {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .unreadable(path: path, reason: "is a directory")
        }
        if !FileManager.default.fileExists(atPath: path) {
            try createEmptyFile(path: path)
            return try open(path: path, isNew: true, readOnly: false)
        }
        // An empty file made ahead (`touch checkout.sqlite`) becomes the cassette; one with a
        // `-wal` beside it is not empty (a new cassette's first pages may be only in its WAL).
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size == 0, !FileManager.default.fileExists(atPath: path + "-wal") {
            return try open(path: path, isNew: true, readOnly: false)
        }
        return try open(path: path, isNew: false, readOnly: false)
    }

    /// Opens an existing cassette; a missing file, a non-SQLite file or a SQLite file of another
    /// schema is a `CassetteError`. A cassette this user may read but not write, or whose
    /// folder it may not write, is opened read-only (`isReadOnly`).
    ///
    /// `readingOnly` is for commands that only read (list, export, diff, replay…): when no
    /// `-wal` file lies beside the cassette, nobody has it open for writing and every commit is
    /// in the file itself, so it is read in place, read-only, and left byte for byte as it
    /// was — a cassette committed to git stays unmodified, and a file that is refused gets no
    /// `-wal` or `-shm` beside it. A cassette in an older format is still upgraded in place.
    public static func open(path: String, readingOnly: Bool = false) throws(CassetteError) -> Cassette {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw .missing(path: path) }
        guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path: path, reason: "permission denied") }
        let writable = isWritableHere(path)
        if readingOnly, writable, !FileManager.default.fileExists(atPath: path + "-wal"), sqlite3_compileoption_used("USE_URI") == 1 {
            return try open(path: path, isNew: false, readOnly: true, upgradable: true)
        }
        return try open(path: path, isNew: false, readOnly: !writable)
    }

    /// `upgradable`: read-only by choice, on a file that may be written, so one in an older
    /// format is opened again for writing and upgraded instead of refused.
    static func open(path: String, isNew: Bool, readOnly: Bool, upgradable: Bool = false) throws(CassetteError) -> Cassette {
        let location = readOnly ? try readOnlyLocation(of: path) : path
        if !isNew { try checkIsCassetteFile(path: path, location: location) }
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.label = "sessproxy.cassette"
        configuration.busyMode = .callback(Self.waitForLock)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: location, configuration: configuration)
        } catch {
            throw Self.openingError(error, path: path)
        }
        do {
            if !readOnly {
                try CassetteSchema.migrator.migrate(pool)
            } else if try !pool.read(CassetteSchema.migrator.hasCompletedMigrations) {
                if upgradable {
                    try pool.close()
                    return try open(path: path, isNew: false, readOnly: false)
                }
                throw CassetteError.unreadable(
                    path: path, reason: "read-only here, and in an older format that is upgraded in place: open it once where it can be written")
            }
        } catch let error as CassetteError {
            throw error
        } catch {
            throw Self.openingError(error, path: path)
        }
        return Cassette(path: path, location: location, pool: pool, isReadOnly: readOnly)
    }

    /// Whether this user may write the file and create files beside it (SQLite's `-wal` and
    /// `-shm`). A read-only mount says no even to root.
    static func isWritableHere(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        return access(path, W_OK) == 0 && access(folder.isEmpty ? "." : folder, W_OK) == 0
    }

    /// The `immutable` URI SQLite opens a read-only cassette by. `immutable` promises SQLite that
    /// nobody changes the file while it is open, which holds only when no connection has it
    /// open in WAL mode: such a connection keeps a `-wal` file beside it (a recorder running, or
    /// one that was killed and may have left commits there), so a `-wal` file is refused.
    static func readOnlyLocation(of path: String) throws(CassetteError) -> String {
        if FileManager.default.fileExists(atPath: path + "-wal") {
            throw .unreadable(
                path: path,
                reason: "read-only here, and the -wal file beside it may hold commits of a recorder that runs or was killed; "
                    + "open it once where it can be written, or copy it together with its -wal file")
        }
        guard let location = immutableLocation(of: path) else { throw .unreadable(path: path, reason: needsWriteAccess) }
        return location
    }

    /// `path` as a `file:` URI with `immutable=1` (nil when this SQLite takes no URIs).
    private static func immutableLocation(of path: String) -> String? {
        guard sqlite3_compileoption_used("USE_URI") == 1 else { return nil }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        // `file://` and an empty authority: a path that starts with `//` is still a path.
        return "file://" + PercentEncoding.encodePath(absolute) + "?immutable=1"
    }

    private static let needsWriteAccess = "read-only here; sessproxy needs to write the file and its folder, for SQLite's WAL"

    /// What went wrong opening a file that passed `checkIsCassetteFile`. A read-only file or folder
    /// is not "not a cassette": SQLite's WAL needs to write beside the file even to read it.
    static func openingError(_ error: any Error, path: String) -> CassetteError {
        if let dbError = error as? DatabaseError, dbError.resultCode == .SQLITE_READONLY {
            return .unreadable(path: path, reason: needsWriteAccess)
        }
        return .notACassette(path: path, reason: Self.describe(error))
    }

    /// While another connection holds a lock this one needs: wait up to 5 s in 0.2 ms steps.
    /// SQLite's own busy timeout backs off to sleeps of up to 100 ms, so a lock held for a
    /// moment (the background checkpointer's) could stall a commit far longer than the lock.
    /// The 5 s are measured on the monotonic clock, not counted in steps: on a busy machine a
    /// 0.2 ms sleep lasts far longer, and 25,000 of them took a minute. SQLite calls this on the
    /// thread that waits, with `tries` 0 at the start of each wait, so the start is kept there.
    static let waitForLock: Database.BusyCallback = { tries in
        let now = DispatchTime.now().uptimeNanoseconds
        let thread = Thread.current.threadDictionary
        if tries == 0 { thread[lockWaitKey] = now }
        let started = thread[lockWaitKey] as? UInt64 ?? now
        guard now - started < lockWaitNanos else { return false }
        usleep(200)
        return true
    }

    static let lockWaitNanos: UInt64 = 5_000_000_000
    private static let lockWaitKey = "sessproxy.cassette.lockWaitStarted"

    /// Whether an existing file is a cassette this build can read, asked before the pool opens it:
    /// the pool turns a database into WAL mode, and a file that is refused must be left as it
    /// was. The file is read through SQLite on a read-only connection, never a descriptor of our
    /// own: closing one would drop every POSIX lock this process holds on the file (fcntl(2)),
    /// those of a connection already open on it here included, and another process could then
    /// take itself for the last user and fold and delete the WAL under that connection.
    private static func checkIsCassetteFile(path: String, location: String) throws(CassetteError) {
        guard FileManager.default.isReadableFile(atPath: path) else { throw .unreadable(path: path, reason: "permission denied") }
        var info = stat()
        if stat(path, &info) == 0 {
            // A device or a pipe (`/dev/zero`, `<(…)`) is not a database SQLite can share.
            if info.st_mode & S_IFMT != S_IFREG { throw .notACassette(path: path, reason: "not a regular file") }
            if info.st_size == 0 { throw .notACassette(path: path, reason: "empty file") }
        }
        do {
            var configuration = Configuration()
            configuration.label = "sessproxy.cassette-check"
            configuration.readonly = true
            // Another process opening or closing the cassette at this moment holds a lock for a
            // moment (its WAL recovery, its last-connection checkpoint): wait, as the pool does.
            configuration.busyMode = .callback(Self.waitForLock)
            // A read-only connection to a WAL file leaves `-wal` and `-shm` files behind, and a
            // refused file must be left as it was: with no `-wal` beside it, nobody has it open
            // in WAL mode, and it is read as immutable, which creates nothing.
            let checked = FileManager.default.fileExists(atPath: path + "-wal") ? location : immutableLocation(of: path) ?? location
            let queue = try DatabaseQueue(path: checked, configuration: configuration)
            try queue.read { db in try checkIsCassette(db, path: path) }
        } catch let error as CassetteError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw .notACassette(path: path, reason: "not a SQLite database")
        } catch {
            throw openingError(error, path: path)
        }
    }

    private static func checkIsCassette(_ db: Database, path: String) throws {
        guard try db.tableExists("cassette_meta"), try db.tableExists("exchange") else {
            throw CassetteError.notACassette(path: path, reason: "no sessproxy tables")
        }
        let found = try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM cassette_meta WHERE key = 'format_version'") ?? 0
        if found > CassetteSchema.formatVersion {
            throw CassetteError.newerFormat(path: path, found: found, supported: CassetteSchema.formatVersion)
        }
        let known = Set(CassetteSchema.migrator.migrations)
        let applied = try CassetteSchema.migrator.appliedIdentifiers(db)
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw CassetteError.newerFormat(path: path, found: found, supported: CassetteSchema.formatVersion)
                .withUnknownMigration(unknown)
        }
        // A file of the current format lacking a column was changed by hand (an older format
        // gets its columns from the migrations that are still to run).
        if applied.count == known.count {
            let columns = Set(try db.columns(in: ExchangeRecord.databaseTableName).map(\.name))
            if let missing = (["id"] + ExchangeRecord.writtenColumns).first(where: { !columns.contains($0) }) {
                throw CassetteError.notACassette(path: path, reason: "its exchange table has no column \(missing)")
            }
        }
    }

    private static func createEmptyFile(path: String) throws(CassetteError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            throw .writeFailed(path: path, reason: "directory \(directory) does not exist")
        }
        let fd = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .writeFailed(path: path, reason: String(cString: strerror(errno))) }
        Glibc.close(fd)
    }

    static func describe(_ error: any Error) -> String {
        if let dbError = error as? DatabaseError {
            return dbError.message ?? "SQLite error \(dbError.resultCode)"
        }
        return String(describing: error)
    }

    // MARK: Reading

    /// The format version stored in the file.
    public func storedFormatVersion() throws -> Int {
        try pool.read { db in
            try Int.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM cassette_meta WHERE key = 'format_version'") ?? 0
        }
    }

    public func count() throws -> Int {
        try pool.read { db in try ExchangeRecord.fetchCount(db) }
    }

    /// Every exchange in recorded order.
    public func allExchanges() throws -> [RecordedExchange] {
        try pool.read { db in
            try ExchangeRecord.order(Column("id")).fetchAll(db).map(\.exchange)
        }
    }

    public func exchange(id: Int64) throws -> RecordedExchange {
        // Replay reads one row per hit: a cached statement, and no transaction around a single
        // SELECT (SQLite reads it from one snapshot anyway).
        let found = try pool.unsafeRead { db in
            try ExchangeRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM exchange WHERE id = ?"), arguments: [id])
        }
        guard let found else { throw CassetteError.exchangeNotFound(path: path, id: id) }
        return found.exchange
    }

    /// The recorded answer of one exchange, reading only its status, headers and body columns.
    public func response(id: Int64) throws -> RecordedResponse {
        guard let found = try answers.responses(ids: [id])[0] else { throw CassetteError.exchangeNotFound(path: path, id: id) }
        return found
    }

    /// The recorded answers of several exchanges (a batch of replay hits), in the order of `ids`:
    /// nil for an id with no row, all nil when the file cannot be read.
    public func responses(ids: [Int64]) -> [RecordedResponse?] {
        (try? answers.responses(ids: ids)) ?? ids.map { _ in nil }
    }

    /// How far the WAL is written and folded back (nil before it exists), for the checkpointer.
    var walProgress: WALProgress? { walIndex.read(count: 100, at: 0).flatMap(WALProgress.init(shmPrefix:)) }

    // MARK: Writing

    /// Inserts exchanges in one transaction and returns their ids, in order. Each row gets its
    /// replay `match_key` when the file stores keys (see `ExchangeRecord.storesKeys`).
    public func insert(_ exchanges: [RecordedExchange]) async throws -> [Int64] {
        try await pool.write { db in try Self.insert(exchanges, into: db) }
    }

    /// The rows of one insert transaction, shared by the async and the blocking path.
    static func insert(_ exchanges: [RecordedExchange], into db: Database) throws -> [Int64] {
        // A key is only stored when the file's `match_rules` says keys use the built-in rules.
        let writer = try ExchangeRowWriter(db)
        return try exchanges.map(writer.insert)
    }

    /// Replaces stored exchanges (same ids) in one transaction; used to re-apply redaction.
    /// The new bodies get new match keys, or none when the file's `match_rules` is not the
    /// built-in rules' (replay then computes them).
    public func replace(_ exchanges: [RecordedExchange]) async throws {
        try await pool.write { db in
            let writer = try ExchangeRowWriter(db)
            for exchange in exchanges { try writer.update(exchange) }
        }
    }

    static func storedMatchRules(_ db: Database) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT value FROM cassette_meta WHERE key = ?", arguments: [CassetteSchema.matchRulesMetaKey])
    }

    /// Rebuilds the file so that freed pages holding replaced (un-redacted) values are gone.
    public func vacuum() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
    }

    /// `PRAGMA integrity_check` result (`ok` when healthy).
    public func integrityCheck() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
    }
}

extension CassetteError {
    fileprivate func withUnknownMigration(_ name: String) -> CassetteError {
        if case .newerFormat(let path, let found, let supported) = self {
            return .notACassette(path: path, reason: "written by a newer sessproxy (format \(max(found, supported + 1)), migration \(name))")
        }
        return self
    }
}
