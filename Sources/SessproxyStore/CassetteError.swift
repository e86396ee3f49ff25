/// Problems a user can cause with a cassette file. Each has a one-line description fit for
/// stderr; the CLI maps them to exit code 2.
public enum CassetteError: Error, Sendable, CustomStringConvertible, Equatable {
    case missing(path: String)
    case unreadable(path: String, reason: String)
    case notACassette(path: String, reason: String)
    case newerFormat(path: String, found: Int, supported: Int)
    case exchangeNotFound(path: String, id: Int64)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such cassette file"
        case .unreadable(let path, let reason):
            return "\(path): cannot open cassette (\(reason))"
        case .notACassette(let path, let reason):
            return "\(path): not a sessproxy cassette (\(reason))"
        case .newerFormat(let path, let found, let supported):
            return "\(path): cassette format \(found) is newer than this sessproxy supports (\(supported)); upgrade sessproxy"
        case .exchangeNotFound(let path, let id):
            return "\(path): no exchange with id \(id)"
        case .writeFailed(let path, let reason):
            return "\(path): cannot write to cassette (\(reason))"
        }
    }
}
