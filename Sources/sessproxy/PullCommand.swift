import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyFleet
import SessproxyServing
import SessproxyStore
import Synchronization

extension Sessproxy {
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
