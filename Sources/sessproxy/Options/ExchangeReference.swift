import ArgumentParser

/// Which exchange `show` prints: an id from `sessproxy list`, or `last`, the newest — what one
/// looks at right after a request went through a recorder.
enum ExchangeReference: ExpressibleByArgument, Sendable, CustomStringConvertible {
    case id(Int64)
    case last

    init?(argument: String) {
        if argument == "last" {
            self = .last
        } else if let id = Int64(argument), id > 0 {
            self = .id(id)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .id(let id): return String(id)
        case .last: return "last"
        }
    }
}
