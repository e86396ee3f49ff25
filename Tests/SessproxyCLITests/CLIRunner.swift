import Foundation
import SessproxyCore

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
        if process.process.isRunning { process.process.terminate() }
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

    static func start(_ arguments: [String], directory: String? = nil) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
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

    /// A free TCP port on loopback (bound then released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Polls a health URL until it answers (the server is listening).
    static func waitUntilListening(port: Int, timeout: Duration = .seconds(20)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(50_000)
        }
        struct NotListening: Error {}
        throw NotListening()
    }
}
