import ArgumentParser

/// A command-line value parsed by one of Core's parsers (`ListenAddress`, `UpstreamEndpoint`).
/// Conversion never fails, so that `validate()` can report the parser's own reason in one clear
/// line ("invalid listen address 'x': …") instead of ArgumentParser's generic "invalid value".
struct ParsedArgument<Value: Sendable>: Sendable {
    let text: String
    let result: Result<Value, ArgumentReason>

    /// The parsed value; throws the reason it could not be parsed (for `validate()`).
    func value() throws -> Value {
        switch result {
        case .success(let value): return value
        case .failure(let reason): throw ValidationError(reason.description)
        }
    }
}

extension ParsedArgument: ExpressibleByArgument where Value: ArgumentParsing {
    init?(argument: String) {
        text = argument
        do {
            result = .success(try Value.parse(argument))
        } catch {
            result = .failure(ArgumentReason(description: error.description))
        }
    }

    var defaultValueDescription: String { text }
}
