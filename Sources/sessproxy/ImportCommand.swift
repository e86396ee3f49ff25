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
            commandName: "import",
            abstract: "Import a HAR file into a cassette (created if missing, appended to otherwise), redacting as when recording.")

        @Argument(help: "HAR file to import.")
        var file: String

        @Option(help: "Cassette file to import into.")
        var cassette: String

        @OptionGroup var redactionConfig: RedactionConfigOption

        @OptionGroup var redactionKey: RedactionKeyOption

        func run() async throws {
            let rules = try redactionConfig.rules()
            let archive = try readArchive()
            let key = try redactionKey.key()
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
