import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyDiff

extension Sessproxy {
    /// `sessproxy diff`: what changed between two recordings, in Klarna terms.
    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "Compare two cassettes session by session; exit 0 when equal, 1 when different, 2 on error.")

        enum Format: String, ExpressibleByArgument, CaseIterable {
            case text
            case json
            case markdown
        }

        enum Colour: String, ExpressibleByArgument, CaseIterable {
            case auto
            case always
            case never
        }

        @Argument(help: "The earlier (known good) cassette.")
        var a: String

        @Argument(help: "The later cassette.")
        var b: String

        @Option(help: "Output format: text, json or markdown.")
        var format: Format = .text

        @Option(name: .customLong("ignore"), help: "Extra JSON path to ignore (repeatable), e.g. 'merchant_reference1' or '**.locale'.")
        var ignore: [String] = []

        @Option(name: .customLong("color"), help: "Colour text output: auto (when stdout is a terminal), always or never.")
        var colour: Colour = .auto

        @Flag(name: .customLong("compare-redacted"), help: "Report changed pseudonyms of redacted fields (same redaction key on both sides).")
        var compareRedacted = false

        func validate() throws {
            for path in ignore {
                do { _ = try JSONPathPattern(path) } catch { throw ValidationError(error.description) }
            }
        }

        func run() async throws {
            let left = try await FleetSources.open(a).allExchanges()
            let right = try await FleetSources.open(b).allExchanges()
            let options = DiffOptions(ignore: try ignore.map { try JSONPathPattern($0) }, compareRedacted: compareRedacted)
            let report = RecordingDiff.compare(left, right, options: options, labels: (FleetSources.label(a), FleetSources.label(b)))
            let output: String
            switch format {
            case .text: output = TextDiffRenderer(colour: useColour).render(report)
            case .json: output = JSONDiffRenderer().render(report)
            case .markdown: output = MarkdownDiffRenderer().render(report)
            }
            print(output, terminator: output.hasSuffix("\n") ? "" : "\n")
            throw ExitCode(report.isEqual ? 0 : 1)
        }

        private var useColour: Bool {
            switch colour {
            case .always: return true
            case .never: return false
            case .auto:
                return isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                    && ProcessInfo.processInfo.environment["TERM"] != "dumb"
            }
        }
    }
}
