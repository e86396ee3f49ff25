import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

extension Sessproxy {
    /// `sessproxy import`: turns a HAR (browser devtools, another proxy, `sessproxy export`) into
    /// cassette rows of the same shape `record` writes, so the result replays. Everything is
    /// redacted with the keyed redactor before it reaches the file, exactly as when recording.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a HAR file into a cassette (created if missing, appended to otherwise), redacting as when recording.")

        @Argument(help: "HAR file to import.")
        var file: String

        @Option(help: "Cassette file to import into.")
        var cassette: String

        @Option(name: .customLong("redaction-config"), help: "YAML file extending the built-in redaction profile.")
        var redactionConfig: String?

        @Option(name: .customLong("redaction-key-file"), help: "HMAC key file for pseudonyms (default ~/.config/sessproxy/redaction.key, or $SESSPROXY_REDACTION_KEY).")
        var redactionKeyFile: String?

        func run() async throws {
            let rules = try RedactionConfigFile.rules(from: redactionConfig)
            let archive = try readArchive()
            let key = try RedactionKeyStore.load(file: redactionKeyFile)
            let redactor = Redactor(rules: rules, pseudonymizer: Pseudonymizer(keyBytes: key))

            var progress = ProgressLine(label: "import", total: archive.exchanges.count)
            var redacted: [RecordedExchange] = []
            redacted.reserveCapacity(archive.exchanges.count)
            for (offset, exchange) in archive.exchanges.enumerated() {
                redacted.append(redactor.redact(exchange))
                progress.update(offset + 1)
            }
            progress.finish()

            let store: Cassette
            do { store = try Cassette.openOrCreate(path: cassette) } catch { throw UserError(error) }
            do {
                _ = try await store.insert(redacted)
                try store.checkpoint()
            } catch {
                throw UserError("\(cassette): cannot write cassette (\(error))")
            }
            var summary = "\(cassette): \(redacted.count) exchange(s) imported from \(file)"
            if archive.skippedEntries > 0 { summary += "; \(archive.skippedEntries) entry(ies) without a response skipped" }
            print(summary)
        }

        private func readArchive() throws -> HARImportResult {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw UserError("\(file): no such file") }
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: file) else {
                throw UserError("\(file): cannot read file")
            }
            do {
                return try HARDocument.exchanges(fromHAR: Array(data))
            } catch {
                throw UserError("\(file): \(error.description)")
            }
        }
    }
}
