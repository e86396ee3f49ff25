import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy export`: a cassette as text. `json` is the stable, sorted form for code review
    /// and `git diff` (as a textconv driver: same cassette, same bytes); `har` opens in browser
    /// devtools and other HTTP tools.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Export a cassette as stable JSON (for review and git diff) or as HAR 1.2 (for devtools).",
            discussion: """
                JSON: {"schema":"sessproxy.cassette/v1","exchanges":[…]}, keys sorted, two-space indent, trailing newline. \
                As a git diff driver: put `*.sqlite diff=sessproxy` in .gitattributes and run \
                `git config diff.sessproxy.textconv "sessproxy export --format json"`.
                """)


        enum Format: String, ExpressibleByArgument, CaseIterable {
            case har
            case json
        }

        @Argument(help: "Cassette file.")
        var file: String

        @Option(help: "Output format: har or json.")
        var format: Format

        @Option(help: "Write to this file instead of stdout.")
        var output: String?

        func run() async throws {
            let store = try await FleetSources.open(file)
            let exchanges: [RecordedExchange]
            do { exchanges = try store.allExchanges() } catch { throw UserError("\(file): cannot read cassette (\(error))") }

            var progress = ProgressLine(label: "export", total: exchanges.count)
            var documents: [JSONValue] = []
            documents.reserveCapacity(exchanges.count)
            for (offset, exchange) in exchanges.enumerated() {
                documents.append(format == .json ? ExchangeDocument.full(exchange) : HARDocument.entry(exchange))
                progress.update(offset + 1)
            }
            progress.finish()

            let document: JSONValue
            switch format {
            case .json:
                document = ExchangeDocument.export(documents: documents)
            case .har:
                document = HARDocument.document(entries: documents, creatorVersion: Sessproxy.configuration.version)
            }
            var bytes = JSONSerializer.bytes(document, style: .pretty)
            bytes.append(UInt8(ascii: "\n"))
            try write(bytes)
        }

        private func write(_ bytes: [UInt8]) throws {
            guard let output else {
                FileHandle.standardOutput.write(Data(bytes))
                return
            }
            // Even redacted traffic is nobody else's business: same 0600 as the cassette itself.
            let previousMode = (try? FileManager.default.attributesOfItem(atPath: output))?[.posixPermissions] as? Int
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: previousMode ?? 0o600], ofItemAtPath: output)
            } catch {
                throw UserError("\(output): cannot write export (\(error.localizedDescription))")
            }
        }
    }
}
