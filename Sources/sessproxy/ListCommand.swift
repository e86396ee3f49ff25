import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy list`: one row per exchange.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the exchanges in a cassette.")

        @Argument(help: "Cassette file.")
        var file: String

        @Option(help: "Output format: table or json.")
        var format: TableFormat = .table

        func run() async throws {
            let exchanges = try await FleetSources.open(file).allExchanges()
            switch format {
            case .json:
                printJSON(.array(exchanges.map(ExchangeDocument.summary)))
            case .table:
                let rows = exchanges.map { exchange in
                    [
                        String(exchange.id ?? 0), Timestamp.format(exchange.startedAt), exchange.operation.rawValue,
                        exchange.method, String(exchange.status), exchange.durationMilliseconds(decimals: 1),
                        exchange.sessionID ?? "-", exchange.target,
                    ]
                }
                print(TextTable.render(header: ["ID", "TIME", "OPERATION", "METHOD", "STATUS", "MS", "SESSION", "PATH"], rows: rows))
            }
        }
    }
}
