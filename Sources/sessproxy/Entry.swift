import ArgumentParser
import Foundation

/// Runs the command tree with sessproxy's exit-code contract: usage and user errors print one
/// line on stderr and exit 2 (ArgumentParser's own default would be 64), help exits 0, and
/// commands that decide an outcome (diff, audit, replay --strict) exit with their own code.
@main
enum Entry {
    static func main() async {
        do {
            var command = try Sessproxy.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as UserError {
            FileHandle.standardError.write(Data("sessproxy: \(error.message)\n".utf8))
            exit(2)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let exitCode = Sessproxy.exitCode(for: error)
            if exitCode == .success {
                print(Sessproxy.fullMessage(for: error))
                exit(0)
            }
            let message = Sessproxy.message(for: error)
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? message
            if exitCode == .validationFailure {
                FileHandle.standardError.write(Data("sessproxy: \(firstLine)\n".utf8))
                exit(2)
            }
            FileHandle.standardError.write(Data("sessproxy: \(firstLine.isEmpty ? String(describing: error) : firstLine)\n".utf8))
            exit(exitCode.rawValue == 1 ? 2 : exitCode.rawValue)
        }
    }
}
