import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy audit`: proof that a cassette is safe to share, or where it is not.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Scan a cassette for personal data and secrets that escaped redaction; exit 0 clean, 1 findings, 2 error.",
            discussion: """
                Scans every header value, the request path and every body (JSON leaf by leaf, including JSON inside \
                strings such as attachment.body) for emails, phone numbers, Basic/Bearer credentials, JWTs, national \
                ids, card numbers, and fields the redaction rules cover whose value is not a pseudonym. Findings name \
                the exchange, location and kind, never the value. JSON output: \
                {"schema":"sessproxy.audit/v1","cassette":…,"exchanges_scanned":n,"findings":[{"exchange_id":…,"location":…,"kind":…}]}
                """)

        static let schema = "sessproxy.audit/v1"

        @Argument(help: "Cassette file.")
        var file: String

        @Option(help: "Output format: text or json.")
        var format: DocumentFormat = .text

        @OptionGroup var redactionConfig: RedactionConfigOption

        func run() async throws {
            let rules = try redactionConfig.rules()
            let store = try await FleetSources.open(file)
            // What gets audited is the main file a user would share, so fold the WAL in first.
            // A fleet URL is named without its password, as everywhere.
            let name = FleetSources.label(file)
            do { try store.checkpoint() } catch { printStatus("sessproxy: audit: could not checkpoint \(name) (\(error)); scanning anyway") }
            let exchanges: [RecordedExchange]
            do { exchanges = try store.allExchanges() } catch { throw UserError("\(FleetSources.label(file)): cannot read cassette (\(error))") }

            let scanner = LeakScanner(rules: rules)
            var progress = ProgressLine(label: "audit", total: exchanges.count)
            var findings: [LeakFinding] = []
            for (offset, exchange) in exchanges.enumerated() {
                findings += scanner.scan(exchange)
                progress.update(offset + 1)
            }
            progress.finish()

            switch format {
            case .json:
                printJSON(.object([
                    JSONMember(key: "schema", value: .string(Self.schema)),
                    JSONMember(key: "cassette", value: .string(name)),
                    JSONMember(key: "exchanges_scanned", value: .number(String(exchanges.count))),
                    JSONMember(key: "findings", value: .array(findings.map(\.json))),
                ]))
            case .text:
                print(Self.renderText(findings, file: name, scanned: exchanges.count))
            }
            if !findings.isEmpty { throw ExitCode(1) }
        }

        static func renderText(_ findings: [LeakFinding], file: String, scanned: Int) -> String {
            guard !findings.isEmpty else { return "\(file): \(scanned) exchange(s) scanned, no personal data or secrets found" }
            let exchangesHit = Set(findings.map { $0.exchangeID ?? 0 }).count
            let rows = findings.map { [String($0.exchangeID ?? 0), $0.kind.rawValue, $0.location] }
            return "\(file): \(scanned) exchange(s) scanned, \(findings.count) finding(s) in \(exchangesHit) exchange(s)\n\n"
                + TextTable.render(header: ["EXCHANGE", "KIND", "LOCATION"], rows: rows)
                + "\n\nRun `sessproxy redact \(file)` to re-apply redaction; add paths the profile misses with --redaction-config."
        }
    }
}
