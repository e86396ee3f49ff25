import ArgumentParser
import Foundation
import Logging
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyServing

extension Sessproxy {
    /// `sessproxy record`: the staging sidecar.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward to the Klarna API and record every exchange, redacted, into a cassette.")

        @Option(help: "Upstream base URL, e.g. https://api.playground.klarna.com")
        var upstream: ParsedArgument<UpstreamEndpoint>

        @Option(help: "Cassette file to record into (created with mode 0600, appended to if it exists).")
        var cassette: String

        @OptionGroup var serving: ServingOptions

        @OptionGroup var redactionKey: RedactionKeyOption

        @OptionGroup var inspector: InspectorOptions

        func validate() throws {
            _ = try upstream.value()
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let endpoint = try upstream.value()
            let proxy = try serving.proxy(cassette: cassette)
            let address = proxy.listen
            let key = try redactionKey.key()
            let store: Cassette
            do { store = try Cassette.openOrCreate(path: cassette) } catch { throw UserError(error) }
            let token = inspector.token()
            let stack: RecordingStack
            do {
                stack = try RecordingStack(
                    cassette: store,
                    upstream: serving.upstream(endpoint), proxy: proxy, redactionKey: key, uiToken: token, logger: logger
                ) { port in
                    printStatus("sessproxy: recording http://\(address.host):\(port) → \(endpoint) into \(cassette)")
                    printStatus("sessproxy: inspector at \(InspectorAccess.pageURL(listen: address, port: port, token: token))")
                }
            } catch {
                throw UserError(String(describing: error))
            }
            try await ServiceRunner.run(stack.services, listen: address.description, logger: logger)
            printStatus("sessproxy: stopped; \(stack.writer.recordedCount) exchange(s) recorded this run into \(cassette)")
        }
    }
}
