import ArgumentParser

/// The `sessproxy` command tree.
struct Sessproxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessproxy",
        abstract: "Record, replay and compare Klarna Payments sessions API traffic.",
        version: "0.1.0",
        subcommands: [
            Record.self, Replay.self, List.self, Show.self, Sessions.self, Diff.self, FakeKlarna.self, Audit.self, Redact.self, Export.self, Import.self, Demo.self, Inspect.self, Push.self, Pull.self,
        ]
    )
}
