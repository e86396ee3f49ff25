import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyTesting
import SessproxyServing

extension Sessproxy {
    /// `sessproxy replay`: answer from a cassette, offline and deterministically.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer requests from a cassette, with zero upstream connections unless --on-miss forward.")

        enum OnMiss: String, ExpressibleByArgument, CaseIterable {
            case error
            case forward
        }

        @Option(help: "Cassette file to replay.")
        var cassette: String

        @Option(help: "Address to listen on.")
        var listen: String = "127.0.0.1:8080"

        @Option(name: .customLong("on-miss"), help: "What to do when nothing recorded matches: error (a Klarna-shaped 404) or forward.")
        var onMiss: OnMiss = .error

        @Option(help: "Upstream base URL for --on-miss forward.")
        var upstream: String?

        @Option(name: .customLong("upstream-ca"), help: "PEM file with an extra CA certificate to trust for the upstream.")
        var upstreamCA: String?

        @Option(name: .customLong("upstream-timeout"), help: "Seconds to wait for a forwarded miss.")
        var upstreamTimeout: Double = 30

        @Flag(help: "At shutdown, exit 1 if any request missed or any recorded exchange was never used.")
        var strict = false

        @Flag(name: .customLong("no-repeat"), help: "Do not repeat the last answer of a used-up sequence: answer a miss instead.")
        var noRepeat = false

        @Option(name: .customLong("body-limit"), help: "Largest request body, in bytes.")
        var bodyLimit: Int = ProxyConfiguration.defaultBodyLimit

        @OptionGroup var redactionConfig: RedactionConfigOption

        func validate() throws {
            do { _ = try ListenAddress(parsing: listen) } catch { throw ValidationError(error.description) }
            if onMiss == .forward, upstream == nil { throw ValidationError("--on-miss forward needs --upstream URL") }
            if let upstream {
                do { _ = try UpstreamEndpoint(parsing: upstream) } catch { throw ValidationError(error.description) }
            }
            guard upstreamTimeout > 0, upstreamTimeout.isFinite else { throw ValidationError("--upstream-timeout must be a positive number of seconds") }
            guard bodyLimit > 0 else { throw ValidationError("--body-limit must be positive") }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let address = try ListenAddress(parsing: listen)
            let rules = try redactionConfig.rules()
            let store = try openCassette(cassette)
            let forward = try onMiss == .forward ? upstream.map {
                UpstreamConfiguration(endpoint: try UpstreamEndpoint(parsing: $0), timeout: .milliseconds(Int64(upstreamTimeout * 1000)), additionalCAFile: upstreamCA)
            } : nil
            let stack: ReplayStack
            do {
                stack = try ReplayStack(
                    cassette: store, proxy: ProxyConfiguration(listen: address, bodyLimit: bodyLimit, cassettePath: cassette, redactionRules: rules),
                    forwardMissesTo: forward, strictSequences: noRepeat, logger: logger
                ) { port in
                    printStatus("sessproxy: replaying \(cassette) on http://\(address.host):\(port)")
                }
            } catch let error as UserError {
                throw error
            } catch {
                throw UserError(String(describing: error))
            }
            try await ServiceRunner.run(stack.services, listen: address.description, logger: logger)
            let outcome = stack.handler.outcome
            printStatus("sessproxy: " + outcome.summary)
            if strict, !outcome.isClean {
                printStatus("sessproxy: --strict: replay was not clean")
                throw ExitCode(1)
            }
        }
    }
}
