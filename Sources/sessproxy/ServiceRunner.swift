import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SessproxyStore

/// Runs a serving mode's services until SIGTERM, SIGINT or SIGHUP, then shuts them down in
/// reverse order (server first, so in-flight exchanges finish before the cassette writer
/// drains). SIGHUP is what a closed terminal or SSH session sends: by default it would end the
/// process at once, losing an exchange the upstream already acted on.
enum ServiceRunner {
    static func run(_ services: [any Service], listen: String, logger: Logger) async throws {
        OpenFileLimit.raise()
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint] + (hangUpIsIgnored ? [] : [.sighup]),
                logger: logger
            )
        )
        do {
            try await group.run()
        } catch {
            throw UserError(describe(error, listen: listen))
        }
    }

    /// Whether SIGHUP was set to be ignored when the process started (`nohup`): then a closed
    /// terminal must not stop it, so shutdown does not listen for it.
    static var hangUpIsIgnored: Bool {
        var current = sigaction()
        guard sigaction(SIGHUP, nil, &current) == 0 else { return false }
        guard let handler = current.__sigaction_handler.sa_handler else { return false }
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    static func describe(_ error: any Error, listen: String) -> String {
        if let ioError = error as? IOError {
            switch ioError.errnoCode {
            case EADDRINUSE: return "\(listen): address already in use"
            case EACCES: return "\(listen): permission denied"
            case EADDRNOTAVAIL: return "\(listen): address not available on this machine"
            default: break
            }
        }
        if error is SocketAddressError.UnknownHost { return "\(listen): no such host (the name does not resolve)" }
        let text = String(describing: error)
        if text.contains("Address already in use") { return "\(listen): address already in use" }
        if text.contains("Cannot assign requested address") { return "\(listen): address not available on this machine" }
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}

/// Writes a line to stderr (status messages that must not pollute stdout output).
/// Written whole with the system's own call: `FileHandle.write` stops the process with a stack
/// trace when stderr cannot be written.
func printStatus(_ line: String) {
    _ = FileDescriptorWrite.all(Array((line + "\n").utf8), to: STDERR_FILENO)
}
