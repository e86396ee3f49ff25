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
            commandName: "record",
            abstract: "Forward to the Klarna API and record every exchange, redacted, into a cassette.")

        @Option(help: "Upstream base URL, e.g. https://api.playground.klarna.com")
        var upstream: ParsedArgument<UpstreamEndpoint>

        @Option(help: "Cassette file to record into (created with mode 0600, appended to if it exists).")
        var cassette: String

        @OptionGroup var serving: ServingOptions

        @OptionGroup var redactionKey: RedactionKeyOption

        @OptionGroup var inspector: InspectorOptions

        @Option(help: "Also ship every committed exchange to this fleet store: postgres://USER@HOST:PORT/DATABASE.")
        var ship: String?

        @Option(help: "Fleet recording to ship into (with --ship).")
        var recording: String?

        @Option(help: "Sidecar id in the fleet recording (with --ship; default: host name and listen port).")
        var sidecar: String?

        func validate() throws {
            try serving.validate(upstream: try upstream.value())
            if let ship {
                _ = try FleetCommandSupport.target(store: ship, recording: recording, sidecar: sidecar)
            } else if recording != nil || sidecar != nil {
                throw ValidationError("--recording and --sidecar go with --ship postgres://…")
            }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let endpoint = try upstream.value()
            let proxy = try serving.proxy(cassette: cassette)
            let address = proxy.listen
            let key = try redactionKey.key()
            let createdNow = !FileManager.default.fileExists(atPath: cassette)
            let store: Cassette
            do { store = try Cassette.openOrCreate(path: cassette) } catch { throw UserError(error) }
            // A run that cannot start (a CA file missing, the port taken, an address not of this
            // machine) leaves no empty cassette of its own making behind.
            func discardIfUnused() {
                if createdNow, (try? store.count()) == 0 { Cassette.removeFiles(at: cassette) }
            }
            let token = inspector.token()
            let fleet = try ship.map { store -> FleetShipping in
                let target = try FleetCommandSupport.target(store: store, recording: recording, sidecar: sidecar)
                return FleetShipping(
                    location: target.location, password: FleetSources.password(for: target.location), recording: target.recording,
                    sidecar: sidecar ?? "\(ProcessInfo.processInfo.hostName):\(address.port)")
            }
            let stack: RecordingStack
            do {
                stack = try RecordingStack(
                    cassette: store,
                    upstream: serving.upstream(endpoint), proxy: proxy, redactionKey: key, uiToken: token, fleet: fleet, logger: logger
                ) { port in
                    printStatus("sessproxy: recording http://\(address.bound(to: port)) → \(endpoint) into \(cassette)")
                    if let fleet { printStatus("sessproxy: shipping to \(fleet.location) as sidecar \(fleet.sidecar)") }
                    printStatus("sessproxy: inspector at \(InspectorAccess.pageURL(listen: address, port: port, token: token))")
                }
            } catch {
                discardIfUnused()
                throw UserError(String(describing: error))
            }
            do {
                try await ServiceRunner.run(stack.services, listen: address.description, logger: logger)
            } catch {
                discardIfUnused()
                throw error
            }
            // Every service has stopped: the cassette is folded back and nothing left beside it,
            // whatever still holds a reference to it as the process ends.
            store.close()
            printStatus("sessproxy: stopped; \(stack.writer.recordedCount) exchange(s) recorded this run into \(cassette)")
            if let fleet, let unshipped = stack.shipper?.status.pending, unshipped > 0 {
                // They are in the cassette, which keeps how far shipping got.
                printStatus(
                    "sessproxy: \(unshipped) exchange(s) not shipped to \(fleet.location) yet; the next record --ship of this cassette ships them, as does sessproxy push")
            }
            // Answered but not in the cassette: said last, and the run does not end in success.
            let unsaved = stack.writer.unsaved
            if !unsaved.files.isEmpty, unsaved.setAside > 0 {
                let files = unsaved.files.joined(separator: " ")
                let imports = unsaved.files.map { "sessproxy import \($0) --cassette \(cassette)" }.joined(separator: "; ")
                throw UserError(
                    "the cassette stayed locked through shutdown: \(unsaved.setAside) answered exchange(s) are in \(files), "
                        + "not in the cassette; add them with: \(imports)"
                        + (unsaved.failed > 0 ? " (\(unsaved.failed) more were not recorded at all)" : ""))
            }
            if unsaved.failed > 0 {
                throw UserError("\(unsaved.failed) answered exchange(s) were not recorded (the errors above say why)")
            }
        }
    }
}
