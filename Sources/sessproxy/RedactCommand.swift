import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy redact`: brings an existing cassette up to the current redaction rules (after
    /// the profile grew, or a config file added a path). Idempotent: a second run changes nothing.
    struct Redact: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "redact",
            abstract: "Re-apply the current redaction rules to every exchange of an existing cassette.")

        @Argument(help: "Cassette file.")
        var file: String

        @OptionGroup var redactionConfig: RedactionConfigOption

        @OptionGroup var redactionKey: RedactionKeyOption

        func run() async throws {
            let rules = try redactionConfig.rules()
            let store = try openCassetteForChanging(file, because: "redact rewrites it in place")
            let key = try redactionKey.key()
            let redactor = Redactor(rules: rules, pseudonymizer: Pseudonymizer(keyBytes: key))
            let exchanges: [RecordedExchange]
            do { exchanges = try store.allExchanges() } catch { throw UserError("\(file): cannot read cassette (\(error))") }

            var progress = ProgressLine(label: "redact", total: exchanges.count)
            var changed: [RecordedExchange] = []
            for (offset, exchange) in exchanges.enumerated() {
                let redacted = redactor.redact(exchange)
                if redacted != exchange { changed.append(redacted) }
                progress.update(offset + 1)
            }
            progress.finish()

            if !changed.isEmpty {
                do { try await store.replace(changed) } catch { throw UserError("\(file): cannot write cassette (\(error))") }
            }
            // The old values must not linger in the -wal file or in freed pages after the rewrite.
            do {
                try store.checkpoint()
                if !changed.isEmpty {
                    try store.vacuum()
                    try store.checkpoint()
                }
            } catch {
                throw UserError("\(file): cannot compact cassette (\(error))")
            }
            print("\(file): \(changed.count) of \(exchanges.count) exchange(s) changed")
        }
    }
}
