import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import SessproxyCore

/// What can go wrong talking to the fleet store, each with the one line a user is shown.
public enum FleetError: Error, Sendable, CustomStringConvertible {
    case unreachable(FleetLocation, reason: String)
    case authentication(FleetLocation)
    case unknownDatabase(FleetLocation)
    case noRecording(FleetLocation)
    case emptyRecording(FleetLocation)
    /// Another cassette already ships under this recording and sidecar id.
    case sidecarTaken(recording: String, sidecar: String)
    /// This cassette already ships to the recording under another sidecar id.
    case cassetteShippedAs(recording: String, sidecar: String)
    case failed(FleetLocation, reason: String)

    public var description: String {
        switch self {
        case .unreachable(let location, let reason):
            return "cannot reach the fleet store \(location): \(reason)"
        case .authentication(let location):
            return "the fleet store \(location) refused the login (wrong user or password; the password comes from the URL, PGPASSWORD or ~/.pgpass)"
        case .unknownDatabase(let location):
            return "the fleet store has no database '\(location.database)' (\(location))"
        case .noRecording(let location):
            return "the fleet source \(location) names no recording: add ?recording=NAME"
        case .emptyRecording(let location):
            return "the fleet store has no exchanges for recording '\(location.recording ?? "")' (\(location))"
        case .cassetteShippedAs(let recording, let sidecar):
            return "this cassette already ships to recording '\(recording)' as sidecar '\(sidecar)'; use --sidecar \(sidecar) to add what it has that is new"
        case .sidecarTaken(let recording, let sidecar):
            return "sidecar id '\(sidecar)' already ships recording '\(recording)' from another cassette; give this one its own --sidecar"
        case .failed(let location, let reason):
            return "fleet store \(location): \(reason)"
        }
    }

    /// A PostgreSQL or connection error in these terms.
    /// The store will not take this sidecar's exchanges however often it is asked.
    public var refusesThisSidecar: Bool {
        switch self {
        case .sidecarTaken, .cassetteShippedAs: return true
        default: return false
        }
    }

    static func classify(_ error: any Error, location: FleetLocation) -> FleetError {
        if let fleet = error as? FleetError { return fleet }
        if let psql = error as? PSQLError {
            switch psql.serverInfo?[.sqlState] {
            case "28P01", "28000": return .authentication(location)
            case "3D000": return .unknownDatabase(location)
            default: break
            }
            if let message = psql.serverInfo?[.message] { return .failed(location, reason: message) }
            if let underlying = psql.underlying, underlying is NIOSSLError || underlying is BoringSSLError || underlying is NIOSSLExtraError {
                return .unreachable(location, reason: tlsReason(underlying, location: location))
            }
            switch psql.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown:
                return .unreachable(location, reason: reason(psql.underlying))
            case .sslUnsupported:
                return .unreachable(location, reason: "the server does not offer TLS, which sslmode asks for")
            case .authMechanismRequiresPassword:
                return .failed(location, reason: "the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)")
            default:
                return .failed(location, reason: "\(psql.code)")
            }
        }
        return .unreachable(location, reason: "\(error)")
    }

    /// A failed TLS handshake, with what verify-full asks of the server's certificate.
    static func tlsReason(_ error: any Error, location: FleetLocation) -> String {
        let detail = tlsDetail(error)
        guard location.tls == .verifyFull else { return "TLS handshake failed: \(detail)" }
        let authorities = location.rootCertificates.map { "the authorities in \($0)" } ?? "the system's authorities (or name yours with sslrootcert=PATH)"
        return "TLS handshake failed: with sslmode=verify-full the server's certificate must be signed by \(authorities) and name \(location.host) (\(detail))"
    }

    /// What the TLS library said, in words (`TLSFailureText`).
    static func tlsDetail(_ error: any Error) -> String {
        TLSFailureText.words(String(describing: error))
    }

    /// "connection refused", "connection timed out"… from the socket error underneath.
    static func reason(_ underlying: (any Error)?) -> String {
        var error = underlying
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first?.error { error = first }
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused (is PostgreSQL running on that port?)"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return "socket error \(io.errnoCode)"
            }
        }
        if let channel = error as? ChannelError {
            // The socket connected (a stopped server's kernel still accepts) but nothing answered.
            if case .connectTimeout(let timeout) = channel {
                return "no answer within \(timeout.nanoseconds / 1_000_000_000) s (is the server stopped or overloaded?)"
            }
            return "the connection failed"
        }
        return underlying.map { "\($0)" } ?? "the connection failed"
    }
}
