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

/// Human-readable form of one exchange for `show`.
enum ExchangeText {
    static func render(_ exchange: RecordedExchange) -> String {
        var lines: [String] = []
        lines.append("Exchange \(exchange.id ?? 0) · \(exchange.operation.rawValue) · session \(exchange.sessionID ?? "-")")
        lines.append("Time: \(Timestamp.format(exchange.startedAt)) · \(exchange.durationMilliseconds(decimals: 1)) ms · upstream \(exchange.upstream)")
        if let error = exchange.proxyError { lines.append("Answered by sessproxy: \(error)") }
        lines.append("")
        lines.append("> \(exchange.method) \(exchange.target)")
        for header in exchange.requestHeaders { lines.append("> \(header.name): \(header.value)") }
        lines.append(contentsOf: body(exchange.requestBody).map { "> " + $0 })
        lines.append("")
        lines.append("< \(exchange.status)" + (exchange.responseEncoding.map { " (was \($0)-encoded)" } ?? ""))
        for header in exchange.responseHeaders { lines.append("< \(header.name): \(header.value)") }
        lines.append(contentsOf: body(exchange.responseBody).map { "< " + $0 })
        if !exchange.redactions.isEmpty {
            lines.append("")
            lines.append("Redacted: " + exchange.redactions.joined(separator: ", "))
        }
        return lines.map(TerminalText.visible).joined(separator: "\n")
    }

    private static func body(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        let document = ExchangeDocument.body(bytes)
        let text: String
        if case .string(let raw) = document { text = raw } else { text = JSONSerializer.string(document, style: .pretty) }
        return [""] + text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
