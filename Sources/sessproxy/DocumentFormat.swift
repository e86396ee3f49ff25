import ArgumentParser

/// `--format` values of the commands that show one document (`show`, `audit`).
enum DocumentFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
