import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy sessions`: one row per Klarna session with its timeline.
    struct Sessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sessions", abstract: "List the Klarna sessions in a cassette with their timelines.")

        @Argument(help: "Cassette file.")
        var file: String

        @Option(help: "Output format: table or json.")
        var format: TableFormat = .table

        func run() async throws {
            let timelines = SessionTimeline.build(from: try await FleetSources.open(file).allExchanges())
            switch format {
            case .json:
                printJSON(.array(timelines.map(\.json)))
            case .table:
                let rows = timelines.map { [$0.sessionID, String($0.steps.count), $0.summary] }
                print(TextTable.render(header: ["SESSION", "CALLS", "TIMELINE"], rows: rows))
            }
        }
    }
}
