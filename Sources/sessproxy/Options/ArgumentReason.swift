/// Why a value did not parse, as its parser worded it.
struct ArgumentReason: Error, Sendable, CustomStringConvertible {
    let description: String
}
