import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyServing

extension Sessproxy {
    /// `sessproxy replay`: answer from a cassette, offline and deterministically.
    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "replay",
            abstract: "Answer requests from a cassette, with zero upstream connections unless --on-miss forward.")

        enum OnMiss: String, ExpressibleByArgument, CaseIterable {
            case error
            case forward
        }

        @Option(help: "Cassette file to replay.")
        var cassette: String

        @Option(name: .customLong("on-miss"), help: "What to do when nothing recorded matches: error (a Klarna-shaped 404) or forward.")
        var onMiss: OnMiss = .error

        @Option(help: "Upstream base URL for --on-miss forward.")
        var upstream: ParsedArgument<UpstreamEndpoint>?

        @Flag(help: "At shutdown, exit 1 if any request missed or any recorded exchange was never used.")
        var strict = false

        @Flag(name: .customLong("no-repeat"), help: "Do not repeat the last answer of a used-up sequence: answer a miss instead.")
        var noRepeat = false

        @OptionGroup var serving: ServingOptions

        @OptionGroup var inspector: InspectorOptions

        func validate() throws {
            if onMiss == .forward, upstream == nil { throw ValidationError("--on-miss forward needs --upstream URL") }
            if onMiss != .forward, upstream != nil {
                throw ValidationError("--upstream goes with --on-miss forward; without it, replay answers every miss 404 and forwards nothing")
            }
            if let upstream { try serving.validate(upstream: try upstream.value()) }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let label = FleetSources.label(cassette)
            let proxy = try serving.proxy(cassette: label)
            let address = proxy.listen
            let recording: ReplayRecording
            do {
                recording = try await FleetSources.replayRecording(
                    cassette, rules: proxy.redactionRules, options: .init(repeatsWhenExhausted: !noRepeat), logger: logger)
            } catch let error as UserError {
                throw error
            } catch {
                throw UserError(String(describing: error))
            }
            let forward = try onMiss == .forward ? upstream.map { serving.upstream(try $0.value()) } : nil
            let token = inspector.token()
            let stack: ReplayStack
            do {
                stack = try ReplayStack(
                    recording: recording, proxy: proxy, forwardMissesTo: forward, uiToken: token, logger: logger
                ) { port in
                    printStatus("sessproxy: replaying \(label) on http://\(address.bound(to: port))")
                    printStatus("sessproxy: inspector at \(InspectorAccess.pageURL(listen: address, port: port, token: token))")
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
