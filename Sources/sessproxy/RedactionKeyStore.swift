import Crypto
import Foundation

/// Where the HMAC key for redaction pseudonyms comes from. Never from or into the cassette:
/// `SESSPROXY_REDACTION_KEY` (any string; hashed to 32 bytes) wins, else a key file: the one
/// named by `--redaction-key-file`, which must exist, or the default
/// `~/.config/sessproxy/redaction.key`, created with mode 0600 and 32 random bytes on first use.
enum RedactionKeyStore {
    static let environmentVariable = "SESSPROXY_REDACTION_KEY"

    static var defaultPath: String {
        let base = ProcessInfo.processInfo.environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.config")
        return base + "/sessproxy/redaction.key"
    }

    static func load(file: String?) throws -> [UInt8] {
        if file == nil, let secret = ProcessInfo.processInfo.environment[environmentVariable], !secret.isEmpty {
            return Array(SHA256.hash(data: Array(secret.utf8)))
        }
        let path = file ?? defaultPath
        if FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw UserError("\(path): cannot read redaction key file")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count >= 32 else { throw UserError("\(path): redaction key file is too short (want 64 hex characters)") }
            return Array(SHA256.hash(data: Array(trimmed.utf8)))
        }
        // Only the default file is made on first use: a key file named on the command line that
        // is not there is more likely a typo than a wish for new pseudonyms, which would no
        // longer match those already recorded under the team's key.
        if let file {
            throw UserError("\(file): no such redaction key file (make one with `openssl rand -hex 32 > \(file)`, or leave the option out for the default key)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw UserError("\(directory): cannot create directory for the redaction key (\(error.localizedDescription))")
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data((hex + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw UserError("\(path): cannot create redaction key file")
        }
        return Array(SHA256.hash(data: Array(hex.utf8)))
    }
}
