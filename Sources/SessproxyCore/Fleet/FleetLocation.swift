import Foundation

/// Where a fleet recording lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?recording=NAME`
/// (also `postgresql://`), with `sslmode=disable|prefer|require|verify-full` and, as libpq,
/// `sslrootcert=PATH` for the CA that verify-full trusts (else the system's). Parsed once, here,
/// for every command that takes a fleet source; `description` never shows the password.
public struct FleetLocation: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public var user: String
    /// From the URL; nil when it carries none (then `PGPASSWORD` or a pgpass file).
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var recording: String?
    public var tls: TLSMode
    /// PEM file of the certificate authorities to trust for verify-full; nil: the system's.
    public var rootCertificates: String?

    public struct Invalid: Error, Sendable, Hashable, CustomStringConvertible {
        public let description: String
    }

    /// Whether an argument names a fleet store rather than a file.
    public static func isFleetURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(parsing text: String) throws(Invalid) {
        guard Self.isFleetURL(text), let components = URLComponents(string: text) else {
            throw Invalid(description: "not a fleet URL: expected postgres://USER@HOST:PORT/DATABASE?recording=NAME")
        }
        guard let host = components.host, !host.isEmpty else { throw Invalid(description: "the fleet URL names no host") }
        guard let user = components.user, !user.isEmpty else { throw Invalid(description: "the fleet URL names no user (postgres://USER@HOST/DATABASE)") }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw Invalid(description: "the fleet URL names no database (postgres://USER@HOST/DATABASE)") }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        // An IPv6 literal is written in brackets (`[::1]`); the address is what is inside them.
        self.host = host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 ? String(host.dropFirst().dropLast()) : host
        self.port = components.port ?? 5432
        self.database = database.removingPercentEncoding ?? database
        var recording: String?
        var tls = TLSMode.prefer
        var rootCertificates: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "recording":
                recording = item.value.flatMap { $0.isEmpty ? nil : $0 }
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw Invalid(description: "sslmode must be disable, prefer, require or verify-full (got \(item.value ?? ""))")
                }
                tls = mode
            case "sslrootcert":
                guard let value = item.value, !value.isEmpty else { throw Invalid(description: "sslrootcert needs a file path") }
                rootCertificates = value
            default:
                throw Invalid(description: "unknown fleet URL parameter '\(item.name)' (known: recording, sslmode, sslrootcert)")
            }
        }
        if let recording { try Self.checkRecordingName(recording) }
        self.recording = recording
        self.tls = tls
        self.rootCertificates = rootCertificates
    }

    /// Recording and sidecar names: letters, digits and `-_.:@`, at most 200 characters.
    public static func checkRecordingName(_ name: String, what: String = "recording name") throws(Invalid) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.:@"))
        guard !name.isEmpty, name.count <= 200, name.unicodeScalars.allSatisfy({ $0.isASCII && allowed.contains($0) }) else {
            throw Invalid(description: "\(what) must be 1–200 of letters, digits, -, _, ., : or @ (got '\(name)')")
        }
    }

    /// The same store, another recording.
    public func with(recording: String) -> FleetLocation {
        var copy = self
        copy.recording = recording
        return copy
    }

    /// `postgres://USER@HOST:PORT/DATABASE?recording=NAME`, without the password.
    public var description: String {
        var text = "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        var query: [String] = []
        if let recording { query.append("recording=\(recording)") }
        if tls != .prefer { query.append("sslmode=\(tls.rawValue)") }
        if let rootCertificates { query.append("sslrootcert=\(rootCertificates)") }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    /// The password to use: the URL's, else `PGPASSWORD`, else the first matching line of a
    /// Why a password file is not read, as libpq decides it (nil: it is read): it must be a plain
    /// file that neither group nor others may access (`chmod 0600`).
    public static func pgpassRefusal(path: String, mode: UInt32) -> String? {
        if mode & 0o170000 != 0o100000 { return "password file \(path) is not a plain file; it is ignored" }
        if mode & 0o077 != 0 {
            return "password file \(path) has group or world access; it is ignored (permissions should be u=rw, 0600, or less, as libpq requires)"
        }
        return nil
    }

    /// pgpass file (`host:port:database:user:password`, `*` matching anything, `\` escaping).
    public func resolvedPassword(environment: [String: String], pgpass: String?) -> String? {
        if let password { return password }
        if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty { return fromEnvironment }
        guard let pgpass else { return nil }
        for line in pgpass.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let fields = Self.pgpassFields(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    static func pgpassFields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":", fields.count < 4 {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
