import ArgumentParser

/// Which exchange `show` prints: an id from `sessproxy list`, or `last`, the newest — what one
/// looks at right after a request went through a recorder.
/// Conversion never fails, so that `validate()` can say what is wanted instead of
/// ArgumentParser's bare "invalid value".
enum ExchangeReference: ExpressibleByArgument, Sendable, CustomStringConvertible {
    case id(Int64)
    case last
    case invalid(String)

    init?(argument: String) {
        if argument == "last" {
            self = .last
        } else if let id = Int64(argument), id > 0 {
            self = .id(id)
        } else {
            self = .invalid(argument)
        }
    }

    /// Why the argument is neither an id nor `last`, if it is neither.
    var problem: String? {
        guard case .invalid(let text) = self else { return nil }
        return "the exchange is an id from `sessproxy list` (a positive number) or last, not '\(text)'"
    }

    var description: String {
        switch self {
        case .id(let id): return String(id)
        case .last: return "last"
        case .invalid(let text): return text
        }
    }
}
