import Foundation
import SessproxyCore
import SessproxyTesting

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `sessproxy` binary the way a user (or a CI script) would.
enum CLIRunner {
    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["SESSPROXY_BINARY"] { return override }
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [testBundle, testBundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("sessproxy").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/sessproxy").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["SESSPROXY_REDACTION_KEY"] = "cli-test-key"
        environment["SESSPROXY_LOG_LEVEL"] = "error"
        return environment
    }()

    /// Runs to completion (bounded by `timeout`).
    static func run(_ arguments: [String], timeout: Duration = .seconds(60), directory: String? = nil) throws -> Result {
        let process = try start(arguments, directory: directory)
        let deadline = ContinuousClock.now + timeout
        while process.process.isRunning, ContinuousClock.now < deadline { usleep(20_000) }
        if process.process.isRunning {
            // SIGTERM first; a process stuck where its handler cannot run gets SIGKILL after 2 s.
            process.process.terminate()
            let grace = ContinuousClock.now + .seconds(2)
            while process.process.isRunning, ContinuousClock.now < grace { usleep(20_000) }
            if process.process.isRunning { kill(process.process.processIdentifier, SIGKILL) }
        }
        return process.finish()
    }

    final class Running {
        let process: Process
        let stdout: Pipe
        let stderr: Pipe

        init(process: Process, stdout: Pipe, stderr: Pipe) {
            self.process = process
            self.stdout = stdout
            self.stderr = stderr
        }

        func signal(_ number: Int32) { kill(process.processIdentifier, number) }

        func finish() -> Result {
            let out = stdout.fileHandleForReading.readDataToEndOfFile()
            let err = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
        }
    }

    /// Starts `executable` (the sessproxy binary unless named) with `arguments`, without waiting.
    static func start(_ arguments: [String], directory: String? = nil, executable: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? binary)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return Running(process: process, stdout: stdout, stderr: stderr)
    }

    static func temporaryDirectory() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-cli-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Polls a health URL until it answers (the server is listening). With `process`, gives up
    /// as soon as that process has exited (it will never listen).
    static func waitUntilListening(port: Int, timeout: Duration = .seconds(20), process: Running? = nil) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, process?.process.isRunning ?? true {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = LoopbackSocket.connect(fd, port: port)
            close(fd)
            if connected { return }
            usleep(50_000)
        }
        struct NotListening: Error {}
        throw NotListening()
    }
}
