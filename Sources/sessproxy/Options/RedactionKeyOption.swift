import ArgumentParser

/// `--redaction-key-file`, shared by every command that writes pseudonyms.
struct RedactionKeyOption: ParsableArguments {
    @Option(
        name: .customLong("redaction-key-file"),
        help: "HMAC key file for pseudonyms (default ~/.config/sessproxy/redaction.key, or $SESSPROXY_REDACTION_KEY).")
    var path: String?

    func key() throws -> [UInt8] {
        try RedactionKeyStore.load(file: path)
    }
}
