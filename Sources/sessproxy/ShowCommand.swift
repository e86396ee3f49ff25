import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy show`: one whole exchange.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one exchange of a cassette, as stored (redacted).")

        @Argument(help: "Cassette file.")
        var file: String

        @Argument(help: "Exchange id (see `sessproxy list`), or `last` for the newest.")
        var exchange: ExchangeReference

        @Option(help: "Output format: text or json.")
        var format: DocumentFormat = .text

        func validate() throws {
            if let problem = exchange.problem { throw ValidationError(problem) }
        }

        func run() async throws {
            let store = try await FleetSources.open(file)
            let exchange: RecordedExchange
            do {
                switch self.exchange {
                case .id(let id):
                    exchange = try store.exchange(id: id)
                case .last:
                    guard let newest = try store.summaries(filter: ExchangeFilter(), from: .before(nil), limit: 1).first?.id else {
                        throw UserError("\(FleetSources.label(file)): no exchanges recorded yet")
                    }
                    exchange = try store.exchange(id: newest)
                case .invalid:
                    throw UserError(self.exchange.problem ?? "invalid exchange")
                }
            } catch CassetteError.exchangeNotFound {
                // Named as the user named it: a fleet recording is read from a private copy.
                throw UserError("\(FleetSources.label(file)): no exchange with id \(self.exchange)")
            } catch let error as CassetteError { throw UserError(error) }
            switch format {
            case .json:
                printJSON(ExchangeDocument.full(exchange))
            case .text:
                print(ExchangeText.render(exchange))
            }
        }
    }
}
