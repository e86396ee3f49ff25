import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import SessproxyCore
import Synchronization

/// One connection to the fleet store (PostgreSQL through postgres-nio): opened, migrated, then
/// used by one caller at a time — the shipper, `push`, or a reader pulling a recording. Only
/// already-redacted exchanges are ever written here.
public final class FleetStore: Sendable {
    public let location: FleetLocation
    let connection: PostgresConnection
    let logger: Logger

    /// Rows per statement when writing (one array per column, so any size is one short statement).
    public static let batchSize = 500
    /// How long one write may take before the connection is given up: a server that went away
    /// abruptly can leave a query unanswered, and shipping must notice and reconnect.
    public static let statementDeadline: Duration = .seconds(10)

    private init(location: FleetLocation, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.connection = connection
        self.logger = logger
    }

    /// Connects (TLS as `sslmode` asks), applies missing migrations, and hands the store back.
    public static func open(_ location: FleetLocation, password: String?, logger: Logger) async throws(FleetError) -> FleetStore {
        do {
            var configuration = PostgresConnection.Configuration(
                host: location.host, port: location.port, username: location.user, password: password, database: location.database,
                tls: try tls(for: location))
            configuration.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            do {
                try await FleetSchema.migrate(connection, logger: logger)
            } catch {
                try? await connection.close()
                throw error
            }
            return FleetStore(location: location, connection: connection, logger: logger)
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }

    private static func tls(for location: FleetLocation) throws -> PostgresConnection.Configuration.TLS {
        switch location.tls {
        case .disable:
            return .disable
        case .prefer, .require:
            // As libpq: encrypted, the certificate not checked (verify-full checks it).
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: configuration)
            return location.tls == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let file = location.rootCertificates {
                guard FileManager.default.isReadableFile(atPath: file) else {
                    throw FleetError.failed(location, reason: "cannot read sslrootcert \(file)")
                }
                configuration.trustRoots = .file(file)
            }
            return .require(try NIOSSLContext(configuration: configuration))
        }
    }

    /// Whether the server closed the connection (or it was closed here).
    public var isClosed: Bool { connection.isClosed }

    /// Closes the connection, waiting at most a second: on a connection whose server vanished,
    /// postgres-nio's close can wait as long as its query did, and shutdown must not.
    public func close() async {
        guard !connection.isClosed else { return }
        let connection = self.connection
        try? await Self.race(deadline: .seconds(1), onTimeout: .success(())) { try await connection.close() }
    }

    // MARK: Sidecars

    /// Binds `sidecar` of `recording` to the cassette `cassetteID`; another cassette already
    /// bound there is refused, so two sidecars never mix their rows under one id, and so is this
    /// cassette under a second id (a `push` of what `record --ship` shipped as host:port), which
    /// would put every exchange in the recording twice.
    public func register(recording: String, sidecar: String, cassetteID: String) async throws(FleetError) {
        do {
            for try await shippedAs in try await connection.query(
                """
                SELECT sidecar FROM sessproxy_sidecar WHERE recording = \(recording) AND cassette_id = \(cassetteID) AND sidecar <> \(sidecar)
                ORDER BY sidecar LIMIT 1
                """, logger: logger
            ).decode(String.self) {
                throw FleetError.cassetteShippedAs(recording: recording, sidecar: shippedAs)
            }
            try await connection.query(
                """
                INSERT INTO sessproxy_sidecar (recording, sidecar, cassette_id) VALUES (\(recording), \(sidecar), \(cassetteID))
                ON CONFLICT (recording, sidecar) DO NOTHING
                """, logger: logger)
            var owner: String?
            for try await id in try await connection.query(
                "SELECT cassette_id FROM sessproxy_sidecar WHERE recording = \(recording) AND sidecar = \(sidecar)", logger: logger
            ).decode(String.self) {
                owner = id
            }
            guard owner == cassetteID else { throw FleetError.sidecarTaken(recording: recording, sidecar: sidecar) }
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }

    // MARK: Writing

    /// Writes exchanges (each with its cassette id) in one transaction; a row already there
    /// (same recording, sidecar and id) is left as it is. Returns how many were new.
    @discardableResult
    public func upsert(_ exchanges: [RecordedExchange], recording: String, sidecar: String) async throws(FleetError) -> Int {
        guard !exchanges.isEmpty else { return 0 }
        do {
            var inserted = 0
            for start in stride(from: 0, to: exchanges.count, by: Self.batchSize) {
                let batch = exchanges[start..<min(start + Self.batchSize, exchanges.count)]
                let query = FleetRow.insertQuery(Array(batch), recording: recording, sidecar: sidecar)
                let connection = self.connection
                let logger = self.logger
                inserted += try await withDeadline {
                    var count = 0
                    for try await _ in try await connection.query(query, logger: logger).decode(Int64.self) { count += 1 }
                    return count
                }
            }
            return inserted
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }

    /// Runs `work` unless the connection is already closed; when it has not finished within
    /// `statementDeadline`, gives up on it and throws. A server killed between two batches can
    /// leave postgres-nio's query waiting on a socket that is gone (measured: it never returns,
    /// nor does closing the connection), so the wait is not structured: the stuck task is left
    /// behind and the shipper reconnects.
    func withDeadline<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        guard !connection.isClosed else { throw FleetError.unreachable(location, reason: "the connection was closed by the server") }
        return try await Self.race(
            deadline: Self.statementDeadline,
            onTimeout: .failure(FleetError.unreachable(location, reason: "no answer within \(Self.statementDeadline); reconnecting")),
            work)
    }

    /// `work`'s result, or `onTimeout` once `deadline` passed, whichever comes first; the loser
    /// is left to finish (or not) on its own.
    static func race<T: Sendable>(
        deadline: Duration, onTimeout: Result<T, any Error>, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answered = Mutex(false)
            let resume = { @Sendable (result: Result<T, any Error>) in
                guard answered.withLock({ done in defer { done = true }; return !done }) else { return }
                continuation.resume(with: result)
            }
            let task = Task {
                do { resume(.success(try await work())) } catch { resume(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: deadline)
                resume(onTimeout)
                task.cancel()
            }
        }
    }

    // MARK: Reading

    /// How many exchanges a recording holds.
    public func count(recording: String) async throws(FleetError) -> Int {
        do {
            var total = 0
            for try await count in try await connection.query(
                "SELECT count(*) FROM sessproxy_exchange WHERE recording = \(recording)", logger: logger
            ).decode(Int.self) {
                total = count
            }
            return total
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }

    /// A page of a recording in fleet order (time, then sidecar, then the sidecar's id), after
    /// `cursor`; the last row's cursor continues.
    public func page(recording: String, after cursor: FleetCursor?, limit: Int) async throws(FleetError) -> [(RecordedExchange, FleetCursor)] {
        do {
            let rows = try await connection.query(FleetRow.selectQuery(recording: recording, after: cursor, limit: limit), logger: logger)
            var page: [(RecordedExchange, FleetCursor)] = []
            for try await row in rows {
                page.append(try FleetRow.decode(row))
            }
            return page
        } catch {
            throw FleetError.classify(error, location: location)
        }
    }
}
