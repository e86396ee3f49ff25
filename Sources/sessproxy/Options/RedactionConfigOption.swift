import ArgumentParser
import SessproxyCore

/// `--redaction-config`, shared by every command that applies redaction rules.
struct RedactionConfigOption: ParsableArguments {
    @Option(name: .customLong("redaction-config"), help: "YAML file extending the built-in Klarna redaction profile.")
    var path: String?

    /// The built-in profile, extended by the config file when given.
    func rules() throws -> RedactionRules {
        try RedactionConfigFile.rules(from: path)
    }
}
