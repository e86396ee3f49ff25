import ArgumentParser

/// `--format` values of the commands that list rows (`list`, `sessions`).
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}
