import Crypto
import Foundation
import SessproxyStore

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
        // Anything at the path, a link to nowhere too, is the key file: read, never replaced.
        var entry = stat()
        if lstat(path, &entry) == 0 { return try read(path) }
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
            throw UserError("cannot create \(directory) for the redaction key: \(FileErrorText.describe(error, creatingFolder: directory))")
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        if try !createWhole(path: path, contents: Array((hex + "\n").utf8)) {
            // Another sidecar on this machine made it first: every process must sign with one key.
            return try read(path)
        }
        return Array(SHA256.hash(data: Array(hex.utf8)))
    }

    private static func read(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw UserError("\(path): cannot read redaction key file: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= 1 << 16 {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            guard count > 0 else { throw UserError("\(path): cannot read redaction key file: \(String(cString: strerror(errno)))") }
            bytes += chunk[..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw UserError("\(path): redaction key file is not text") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count >= 32 else { throw UserError("\(path): redaction key file is too short (want 64 hex characters)") }
        return Array(SHA256.hash(data: Array(trimmed.utf8)))
    }

    /// Writes a new file whole, mode 0600, or leaves one already there alone (false). Written
    /// beside its name and linked into place, so a process starting at the same moment finds
    /// either no file or the whole key, never a part of it, and never replaces the other's key.
    private static func createWhole(path: String, contents: [UInt8]) throws -> Bool {
        var template = Array((path + ".XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw UserError("\(path): cannot create redaction key file: \(String(cString: strerror(errno)))") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(temporary) }
        var failure = FileDescriptorWrite.all(contents, to: descriptor)
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if let failure { throw UserError("\(path): cannot write redaction key file: \(String(cString: strerror(failure)))") }
        if link(temporary, path) != 0 {
            if errno == EEXIST { return false }
            // A file system without hard links (FAT, some network mounts): renamed into place,
            // which two processes starting at once could each do, the later key winning.
            guard [EPERM, EOPNOTSUPP, ENOSYS].contains(errno), rename(temporary, path) == 0 else {
                throw UserError("\(path): cannot create redaction key file: \(String(cString: strerror(errno)))")
            }
        }
        // The new name itself outlives a power cut only once its folder is synced: a key lost
        // then would be made anew, and pseudonyms already recorded would no longer match.
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
        return true
    }
}
