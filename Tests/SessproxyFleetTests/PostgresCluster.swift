import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SessproxyCore
import SessproxyTesting

/// A throwaway PostgreSQL server for one test (`scripts/pg-cluster.sh`: initdb into a temporary
/// folder, pg_ctl on a free loopback port), stopped and removed afterwards.
struct PostgresCluster: Sendable {
    let directory: String
    let port: Int
    static let password = "sessproxy-test"

    var url: String { "postgres://sessproxy@127.0.0.1:\(port)/fleet" }
    var location: FleetLocation { try! FleetLocation(parsing: url) }

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/pg-cluster.sh").path

    static func with<T: Sendable>(_ body: @Sendable (PostgresCluster) async throws -> T) async throws -> T {
        let cluster = PostgresCluster(
            directory: FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-pg-\(UUID().uuidString)").path, port: LoopbackSocket.unusedPort())
        try await cluster.run("start", String(cluster.port))
        do {
            let result = try await body(cluster)
            try? await cluster.run("stop")
            try? FileManager.default.removeItem(atPath: cluster.directory)
            try? FileManager.default.removeItem(atPath: cluster.directory + ".log")
            return result
        } catch {
            try? await cluster.run("stop")
            try? FileManager.default.removeItem(atPath: cluster.directory)
            throw error
        }
    }

    func start() async throws { try await run("start", String(port)) }
    /// An outage: the server goes away at once (`pg_ctl -m immediate`).
    func kill() async throws { try await run("kill") }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs the script with its output in a log file, through `posix_spawn` and `waitpid` on a
    /// thread of its own: the server it starts lives on, and Foundation's `Process` would wait
    /// for it too (its exit watch is a descriptor the server inherits).
    func run(_ arguments: String...) async throws {
        let log = directory + ".log"
        let argv = ["/bin/bash", "-c", "exec \"$0\" \"$@\" >>'\(log)' 2>&1 </dev/null", Self.script, arguments[0], directory]
            + arguments.dropFirst()
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var pid: pid_t = 0
                let cArguments = argv.map { strdup($0) } + [nil]
                defer { for argument in cArguments { free(argument) } }
                guard posix_spawn(&pid, "/bin/bash", nil, nil, cArguments, environ) == 0 else {
                    continuation.resume(returning: -1)
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
        guard status == 0 else {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failed(description: "pg-cluster.sh \(arguments.joined(separator: " ")) exited \(status): \(text)")
        }
    }
}
