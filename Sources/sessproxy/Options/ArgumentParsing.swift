/// Core values the command line takes, parsed by Core's own parsers.
protocol ArgumentParsing: Sendable {
    associatedtype Failure: Error & CustomStringConvertible
    static func parse(_ text: String) throws(Failure) -> Self
}
