import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyProxy
import SessproxyServing
import SessproxyStore

extension Sessproxy {
    /// `sessproxy inspect`: the inspector page for cassettes at rest, like `mitmweb -r`.
    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect",
            abstract: "Serve the inspector page for one cassette, or two to compare across them; read-only, proxies nothing.")

        @Argument(help: "Cassette file.")
        var file: String

        @Argument(help: "A second cassette, to compare the same call across the two.")
        var other: String?

        @Option(help: "Address to listen on.")
        var listen: ParsedArgument<ListenAddress> = ParsedArgument(argument: "127.0.0.1:8080")!

        @OptionGroup var inspector: InspectorOptions

        func validate() throws {
            _ = try listen.value()
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let address = try listen.value()
            // Open for writing like a recorder's: the page runs on, and a recorder may start on
            // the same file meanwhile, which a file read in place (`readingOnly`) must not see.
            let first = try await FleetSources.open(file, readingOnly: false)
            let second: Cassette? = if let other { try await FleetSources.open(other, readingOnly: false) } else { nil }
            let token = inspector.token()
            let labels = (FleetSources.label(file), other.map(FleetSources.label) ?? "")
            let proxy = ProxyConfiguration(listen: address, cassettePath: labels.0)
            let stack = InspectStack(cassette: first, other: second, labels: labels, proxy: proxy, uiToken: token, logger: logger) { port in
                printStatus("sessproxy: inspecting \([labels.0, labels.1].filter { !$0.isEmpty }.joined(separator: " and "))")
                printStatus("sessproxy: inspector at \(InspectorAccess.pageURL(listen: address, port: port, token: token))")
            }
            try await ServiceRunner.run(stack.services, listen: address.description, logger: logger)
            printStatus("sessproxy: inspector stopped")
        }
    }
}
