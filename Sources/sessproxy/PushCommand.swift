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
            // The file first: a name mistyped is said at once, and no store is touched for it.
            try openCassette(file, readingOnly: true).close()
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
}
