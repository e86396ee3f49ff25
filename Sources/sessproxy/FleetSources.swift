import Foundation
import Logging
import SessproxyCore
import SessproxyFleet
import SessproxyServing
import SessproxyStore

/// Fleet sources on the command line: a `postgres://…?recording=NAME` wherever a cassette file is
/// read. The recording is pulled into a cassette in a private temporary folder, removed at exit,
/// and the command reads that — one code path for files and fleets.
enum FleetSources {
    /// The cassette for a file path or a fleet URL. `readingOnly`: the command only reads it,
    /// and a file nobody writes is left byte for byte as it was (`Cassette.open`).
    static func open(_ source: String, readingOnly: Bool = true) async throws -> Cassette {
        guard FleetLocation.isFleetURL(source) else { return try openCassette(source, readingOnly: readingOnly) }
        let location = try location(source)
        guard location.recording != nil else { throw UserError(FleetError.noRecording(location).description) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-fleet-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw UserError("cannot create a temporary folder for the fleet recording: \(FileErrorText.describe(error, creatingFolder: folder.path))")
        }
        TemporaryFolders.removeAtExit(folder.path)
        let path = folder.appendingPathComponent("fleet.sqlite").path
        do {
            try await FleetTransfer.pull(location, password: password(for: location), into: path, logger: quietLogger)
        } catch let error as FleetError {
            throw UserError(error.description)
        }
        return try openCassette(path)
    }

    /// What `replay` answers from: a file's replay index, or a fleet recording read in place
    /// (its index at start, each body when a request needs it) rather than pulled whole.
    static func replayRecording(
        _ source: String, rules: RedactionRules, options: ReplayEngine.Options, logger: Logger
    ) async throws -> ReplayRecording {
        guard FleetLocation.isFleetURL(source) else {
            return try .cassette(try openCassette(source, readingOnly: true), rules: rules, options: options, logger: logger)
        }
        let location = try location(source)
        do {
            return try await .fleet(location, password: password(for: location), rules: rules, options: options, logger: logger)
        } catch let error as FleetError {
            throw UserError(error.description)
        }
    }

    /// How a source is named in output: a file by its path, a fleet URL without its password.
    static func label(_ source: String) -> String {
        guard FleetLocation.isFleetURL(source), let location = try? FleetLocation(parsing: source) else { return source }
        return location.description
    }

    static func location(_ text: String) throws -> FleetLocation {
        do {
            return try FleetLocation(parsing: text)
        } catch {
            throw UserError(error.description)
        }
    }

    /// The URL's password, else `PGPASSWORD`, else `PGPASSFILE` or `~/.pgpass`.
    static func password(for location: FleetLocation) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let file = environment["PGPASSFILE"] ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".pgpass").path
        var contents: String?
        var info = stat()
        if stat(file, &info) == 0 {
            if let refusal = FleetLocation.pgpassRefusal(path: file, mode: UInt32(info.st_mode)) {
                if location.password == nil, ProcessInfo.processInfo.environment["PGPASSWORD"]?.isEmpty ?? true {
                    printStatus("sessproxy: warning: \(refusal)")
                }
            } else {
                contents = try? String(contentsOfFile: file, encoding: .utf8)
            }
        }
        return location.resolvedPassword(environment: environment, pgpass: contents)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "sessproxy.fleet")
        logger.logLevel = .error
        return logger
    }
}
