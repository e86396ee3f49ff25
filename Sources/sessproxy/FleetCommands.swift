import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyFleet
import SessproxyServing
import SessproxyStore
import Synchronization

extension Sessproxy {
    /// `sessproxy push`: an existing cassette into a fleet recording.
    struct Push: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Ship an existing cassette to a fleet recording in PostgreSQL (idempotent: a second push adds nothing).")

        @Argument(help: "Cassette file.")
        var file: String

        @Argument(help: "Fleet store: postgres://USER@HOST:PORT/DATABASE (the password from PGPASSWORD or ~/.pgpass).")
        var store: String

        @Option(help: "Recording to ship into (or ?recording= in the URL).")
        var recording: String?

        @Option(help: "Sidecar id the rows are kept under (default: host name and file name).")
        var sidecar: String?

        func validate() throws {
            _ = try FleetCommandSupport.target(store: store, recording: recording, sidecar: sidecar)
        }

        func run() async throws {
            let target = try FleetCommandSupport.target(store: store, recording: recording, sidecar: sidecar)
            let password = FleetSources.password(for: target.location)
            // The store is reached before the file is opened for changing, so that a push that
            // cannot start (a store down, a wrong password) leaves the cassette as it was.
            do {
                let probe = try await FleetStore.open(target.location, password: password, logger: FleetSources.quietLogger)
                await probe.close()
            } catch {
                throw UserError(error.description)
            }
            let cassette = try openCassetteForChanging(file, because: "push keeps how far it got in the file")
            let sidecar = self.sidecar ?? "\(ProcessInfo.processInfo.hostName):\(URL(fileURLWithPath: file).lastPathComponent)"
            let progress = Mutex(ProgressLine(label: "push", total: 0))
            let result: FleetTransfer.PushResult
            do {
                result = try await FleetTransfer.push(
                    cassette, to: target.location, password: password, recording: target.recording,
                    sidecar: sidecar, logger: FleetSources.quietLogger
                ) { sent, total in
                    progress.withLock { $0.update(sent, of: total) }
                }
            } catch let error as FleetError {
                throw UserError(error.description)
            }
            progress.withLock { $0.finish() }
            print("pushed \(result.read) exchange(s) of \(file) to \(target.location.with(recording: target.recording)) as sidecar \(sidecar): \(result.added) new, \(result.read - result.added) already there")
        }
    }

    /// `sessproxy pull`: a fleet recording into an ordinary cassette.
    struct Pull: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            abstract: "Write a fleet recording into a new cassette file for offline use.")

        @Argument(help: "Fleet source: 'postgres://USER@HOST:PORT/DATABASE?recording=NAME'.")
        var source: String

        @Argument(help: "Cassette file to create (must not exist).")
        var file: String

        func validate() throws {
            let location = try FleetSources.location(source)
            guard location.recording != nil else { throw ValidationError(FleetError.noRecording(location).description) }
        }

        func run() async throws {
            let location = try FleetSources.location(source)
            guard !FileManager.default.fileExists(atPath: file) else {
                throw UserError("\(file) already exists; pull writes a new cassette (remove it or choose another name)")
            }
            let progress = Mutex(ProgressLine(label: "pull", total: 0))
            let written: Int
            do {
                written = try await FleetTransfer.pull(
                    location, password: FleetSources.password(for: location), into: file, logger: FleetSources.quietLogger
                ) { done, total in
                    progress.withLock { $0.update(done, of: total) }
                }
            } catch let error as FleetError {
                try? FileManager.default.removeItem(atPath: file)
                throw UserError(error.description)
            } catch let error as CassetteError {
                throw UserError(error)
            }
            progress.withLock { $0.finish() }
            print("pulled \(written) exchange(s) of \(location) into \(file)")
        }
    }
}

/// Parsing shared by `push` and `record --ship`.
enum FleetCommandSupport {
    struct Target {
        var location: FleetLocation
        var recording: String
    }

    /// The store and recording: `--recording` or the URL's `?recording=`; a bad name or URL is a
    /// one-line error.
    static func target(store: String, recording: String?, sidecar: String?) throws -> Target {
        let location: FleetLocation
        do {
            location = try FleetLocation(parsing: store)
        } catch {
            throw ValidationError(error.description)
        }
        guard let name = recording ?? location.recording else {
            throw ValidationError("name the fleet recording with --recording NAME (or ?recording=NAME in the URL)")
        }
        if let recording, let named = location.recording, named != recording {
            throw ValidationError("the URL names recording '\(named)' and --recording '\(recording)'; name it once")
        }
        do {
            try FleetLocation.checkRecordingName(name)
            if let sidecar { try FleetLocation.checkRecordingName(sidecar, what: "sidecar id") }
        } catch {
            throw ValidationError(error.description)
        }
        return Target(location: location.with(recording: name), recording: name)
    }
}
