import ArgumentParser
import Foundation
import Logging
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyTesting
import SessproxyServing

extension Sessproxy {
    /// `sessproxy record`: the staging sidecar.
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward to the Klarna API and record every exchange, redacted, into a cassette.")

        @Option(help: "Upstream base URL, e.g. https://api.playground.klarna.com")
        var upstream: String

        @Option(help: "Cassette file to record into (created with mode 0600, appended to if it exists).")
        var cassette: String

        @Option(help: "Address to listen on.")
        var listen: String = "127.0.0.1:8080"

        @Option(name: .customLong("upstream-ca"), help: "PEM file with an extra CA certificate to trust for the upstream.")
        var upstreamCA: String?

        @Option(name: .customLong("upstream-timeout"), help: "Seconds to wait for the upstream's whole answer.")
        var upstreamTimeout: Double = 30

        @Option(name: .customLong("body-limit"), help: "Largest request or response body, in bytes.")
        var bodyLimit: Int = ProxyConfiguration.defaultBodyLimit

        @OptionGroup var redactionConfig: RedactionConfigOption

        @OptionGroup var redactionKey: RedactionKeyOption

        func validate() throws {
            do { _ = try UpstreamEndpoint(parsing: upstream) } catch { throw ValidationError(error.description) }
            do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError(error.description) }
            guard upstreamTimeout > 0, upstreamTimeout.isFinite else { throw ValidationError("--upstream-timeout must be a positive number of seconds") }
            guard bodyLimit > 0 else { throw ValidationError("--body-limit must be positive") }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let endpoint = try UpstreamEndpoint(parsing: upstream)
            let address = try ListenAddress(parsing: listen)
            let rules = try redactionConfig.rules()
            let key = try redactionKey.key()
            let store: Cassette
            do { store = try Cassette.openOrCreate(path: cassette) } catch { throw UserError(error) }
            let stack: RecordingStack
            do {
                stack = try RecordingStack(
                    cassette: store,
                    upstream: .init(endpoint: endpoint, timeout: .milliseconds(Int64(upstreamTimeout * 1000)), additionalCAFile: upstreamCA),
                    proxy: ProxyConfiguration(listen: address, bodyLimit: bodyLimit, cassettePath: cassette, redactionRules: rules),
                    redactionKey: key, logger: logger
                ) { port in
                    printStatus("sessproxy: recording http://\(address.host):\(port) → \(endpoint) into \(cassette)")
                }
            } catch {
                throw UserError(String(describing: error))
            }
            try await ServiceRunner.run(stack.services, listen: address.description, logger: logger)
            printStatus("sessproxy: stopped; \(stack.writer.recordedCount) exchange(s) recorded this run into \(cassette)")
        }
    }
}
