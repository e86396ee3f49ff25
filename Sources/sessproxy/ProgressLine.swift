import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `redact: 1200/10000` on stderr, rewritten in place, for long runs over big cassettes. Only
/// when stderr is a terminal (never in logs or pipes), not before the run has taken a moment
/// (short runs show nothing), at most a few times a second, and wiped at the end so that
/// the command's own output starts on a clean line.
struct ProgressLine {
    let label: String
    /// May be learnt only once the work starts (a transfer counts its rows first).
    var total: Int
    private let enabled: Bool
    private let started = ContinuousClock.now
    private var lastDrawn: ContinuousClock.Instant?

    static let initialDelay: Duration = .milliseconds(300)
    static let interval: Duration = .milliseconds(100)

    init(label: String, total: Int, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    mutating func update(_ done: Int, of total: Int) {
        self.total = total
        update(done)
    }

    mutating func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        if let lastDrawn {
            guard now - lastDrawn >= Self.interval else { return }
        } else {
            guard now - started >= Self.initialDelay else { return }
        }
        lastDrawn = now
        Self.writeToStandardError("\r\(label): \(done)/\(total)\u{1B}[K")
    }

    /// Clears the line if anything was drawn.
    func finish() {
        guard enabled, lastDrawn != nil else { return }
        Self.writeToStandardError("\r\u{1B}[K")
    }

    private static func writeToStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
