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

        func validate() throws {
            guard let output else { return }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue {
                throw ValidationError("--output \(output) is a directory; name a file")
            }
            if !FleetLocation.isFleetURL(file), Self.sameFile(output, asAnyOf: Cassette.files(at: file)) {
                throw ValidationError("--output \(output) is the cassette being exported; write the export to another file")
            }
            if Self.isSQLiteDatabase(output) {
                throw ValidationError("--output \(output) is a SQLite database (a cassette?) that the export would replace; write it to another file")
            }
        }

        /// Whether `path` names an existing file that one of `others` names too (symbolic links
        /// and hard links included).
        private static func sameFile(_ path: String, asAnyOf others: [String]) -> Bool {
            var target = stat()
            guard stat(path, &target) == 0 else { return false }
            return others.contains { other in
                var info = stat()
                return stat(other, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino
            }
        }

        /// Whether `path` exists as something other than a regular file or a folder (a FIFO, a
        /// terminal, a socket: reading it to look inside could wait for ever).
        private static func isSpecialFile(_ path: String) -> Bool {
            var info = stat()
            guard stat(path, &info) == 0 else { return false }
            let kind = info.st_mode & S_IFMT
            return kind != S_IFREG && kind != S_IFDIR
        }

        private static func isSymbolicLink(_ path: String) -> Bool {
            var info = stat()
            return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
        }

        private static func isSQLiteDatabase(_ path: String) -> Bool {
            guard !isSpecialFile(path), let handle = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? handle.close() }
            let header = (try? handle.read(upToCount: 16)) ?? Data()
            return header == Data("SQLite format 3\u{0}".utf8)
        }

        func run() async throws {
            let store = try await FleetSources.open(file)
            let exchanges: [RecordedExchange]
            do { exchanges = try store.allExchanges() } catch { throw UserError("\(FleetSources.label(file)): cannot read cassette (\(error))") }

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
                if let failure = FileDescriptorWrite.all(bytes, to: STDOUT_FILENO), failure != EPIPE {
                    throw UserError("cannot write export to standard output (\(String(cString: strerror(failure))))")
                }
                return
            }
            if Self.isSpecialFile(output) || Self.isSymbolicLink(output) {
                // A pipe, a terminal, `/dev/stdout`, a link: written into, as a shell's `>` would
                // (through the link, truncated), not replaced by a file of our own.
                let fd = Glibc.open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw UserError("\(output): cannot write export (\(String(cString: strerror(errno))))") }
                defer { Glibc.close(fd) }
                if let failure = FileDescriptorWrite.all(bytes, to: fd) {
                    throw UserError("\(output): cannot write export (\(String(cString: strerror(failure))))")
                }
                return
            }
            // Even redacted traffic is nobody else's business: same 0600 as the cassette itself.
            let previousMode = (try? FileManager.default.attributesOfItem(atPath: output))?[.posixPermissions] as? Int
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: previousMode ?? 0o600], ofItemAtPath: output)
            } catch {
                throw UserError("\(output): cannot write export (\(FileErrorText.describe(error, writing: output)))")
            }
        }
    }
}
