import Foundation
import Testing
@testable import SessproxyDiff

/// The three renderers against checked-in output. Set `SESSPROXY_UPDATE_GOLDENS=1` to rewrite the
/// files after a deliberate format change, then review the diff of `Golden/`.
@Suite struct GoldenRenderTests {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    struct Case: Sendable, CustomStringConvertible {
        var file: String
        var render: @Sendable (DiffReport) -> String
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(file: "regression.txt", render: { TextDiffRenderer(colour: false).render($0) }),
        Case(file: "regression.colour.txt", render: { TextDiffRenderer(colour: true).render($0) }),
        Case(file: "regression.md", render: { MarkdownDiffRenderer().render($0) }),
        Case(file: "regression.json", render: { JSONDiffRenderer().render($0) }),
    ]

    @Test(arguments: cases)
    func matchesGolden(_ golden: Case) throws {
        let output = golden.render(Scenario.report)
        let url = Self.goldenDirectory.appendingPathComponent(golden.file)
        if ProcessInfo.processInfo.environment["SESSPROXY_UPDATE_GOLDENS"] == "1" {
            try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
            try output.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(output == expected, "output of \(golden.file) changed; rerun with SESSPROXY_UPDATE_GOLDENS=1 if intended")
    }

    static let equalCases: [Case] = [
        Case(file: "equal.txt", render: { TextDiffRenderer(colour: false).render($0) }),
        Case(file: "equal.md", render: { MarkdownDiffRenderer().render($0) }),
        Case(file: "equal.json", render: { JSONDiffRenderer().render($0) }),
    ]

    @Test(arguments: equalCases)
    func equalRecordingsMatchGolden(_ golden: Case) throws {
        let report = RecordingDiff.compare(Scenario.a, Scenario.a, labels: ("a.sqlite", "b.sqlite"))
        let output = golden.render(report)
        let url = Self.goldenDirectory.appendingPathComponent(golden.file)
        if ProcessInfo.processInfo.environment["SESSPROXY_UPDATE_GOLDENS"] == "1" {
            try output.write(to: url, atomically: true, encoding: .utf8)
        }
        #expect(output == (try String(contentsOf: url, encoding: .utf8)))
    }
}
