import Foundation
import ArgumentParser
import SessproxyCore

/// `--format` values of the inspection commands.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

enum DocumentFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// Prints a JSON document in the stable (sorted, indented) form used by every `--format json`.
func printJSON(_ value: JSONValue) {
    print(JSONSerializer.string(value, style: .pretty))
}
