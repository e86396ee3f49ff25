import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyTesting
import SessproxyServing

extension Sessproxy {
    /// `sessproxy fake-klarna`: a local stand-in for the Klarna playground.
    struct FakeKlarna: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fake-klarna",
            abstract: "Serve a local fake of the Klarna Payments sessions API (create, read, update).")

        @Option(help: "Address to listen on.")
        var listen: ParsedArgument<ListenAddress> = ParsedArgument(argument: "127.0.0.1:8089")!

        @Flag(help: "Gzip JSON answers for clients that send Accept-Encoding: gzip.")
        var gzip = false

        @Flag(help: "Answer with chunked transfer encoding instead of Content-Length.")
        var chunked = false

        @Option(help: "Only accept this Basic-auth username (default: any non-empty credentials).")
        var username: String?

        @Option(help: "Only accept this Basic-auth password.")
        var password: String?

        func validate() throws {
            _ = try listen.value()
            if (username == nil) != (password == nil) { throw ValidationError("--username and --password go together") }
        }

        func run() async throws {
            let logger = LoggingSetup.bootstrap()
            let address = try listen.value()
            let credentials = username.flatMap { user in password.map { (username: user, password: $0) } }
            let server = try FakeKlarnaServer.make(
                options: .init(listen: address, gzip: gzip, chunked: chunked, behaviour: .init(credentials: credentials)),
                logger: logger
            ) { port in
                printStatus("sessproxy: fake Klarna listening on http://\(address.bound(to: port))")
            }
            try await ServiceRunner.run([server], listen: address.description, logger: logger)
        }
    }
}
