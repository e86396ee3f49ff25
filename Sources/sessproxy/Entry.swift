import ArgumentParser
import Foundation
import SessproxyStore

/// Runs the command tree with sessproxy's exit-code contract: usage and user errors print one
/// line on stderr and exit 2 (ArgumentParser's own default would be 64), help exits 0, and
/// commands that decide an outcome (diff, audit, replay --strict) exit with their own code.
/// Output that could not be written (a full disk behind `>`) is an error too, not a silent 0.
@main
enum Entry {
    static func main() async {
        let status = await run()
        exit(finishingOutput(status: status))
    }

    private static func run() async -> Int32 {
        do {
            var command = try Sessproxy.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as UserError {
            printError(error.message)
            return 2
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let exitCode = Sessproxy.exitCode(for: error)
            if exitCode == .success {
                print(Sessproxy.fullMessage(for: error))
                return 0
            }
            let message = Sessproxy.message(for: error)
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            if exitCode == .validationFailure {
                printError(firstLine)
                return 2
            }
            printError(firstLine.isEmpty ? String(describing: error) : firstLine)
            return exitCode.rawValue == 1 ? 2 : exitCode.rawValue
        }
    }

    /// What commands print waits in stdio's buffer until here, so a write that fails (no space
    /// left) is learnt here: said in one line, exit 2. A reader that went away (`| head`) is
    /// no error.
    private static func finishingOutput(status: Int32) -> Int32 {
        errno = 0
        // Every stream (stdout is the one written to): a stream that failed before fails again.
        guard fflush(nil) != 0 else { return status }
        let failure = errno == 0 ? EIO : errno
        if failure == EPIPE { return status }
        printError("cannot write to standard output (\(String(cString: strerror(failure))))")
        return 2
    }

    private static func printError(_ line: String) {
        printStatus("sessproxy: \(line)")
    }
}
