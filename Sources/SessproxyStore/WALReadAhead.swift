/// Which stretches of the `-wal` file to bring into the page cache before the writer overwrites
/// them. A pure decision, tested without files or clocks; the checkpointer asks the kernel for
/// them (`KeptOpenFile.adviseWillNeed`) on its own thread.
///
/// Why: SQLite writes each WAL frame as a 24-byte header and then its page, so frames never line
/// up with the file system's 4 KiB pages, and the log is reused from its start rather than
/// grown. Overwriting a stretch whose pages have left the page cache — a virtual machine whose
/// host pages out file pages unused for a minute, memory pressure in a container — makes the
/// kernel read each page from disk first, inside the commit, while the request waits. Measured
/// at c=1 on two cores with the `-wal` file's pages dropped: p50 1.3–1.6 ms without this
/// read-ahead, 0.7–1.0 ms with it.
///
/// Two stretches: the one after the log's last frame, where the next commits go; and the start
/// of the file when the log is about to start over (every frame folded back, or close to the
/// checkpointer's restart bound). Each is asked for once per `refreshNanos` in full and, in
/// between, only for what it grew by, so that a busy writer costs a lookup of a few hundred
/// pages per poll, not of the whole window.
struct WALReadAhead: Sendable, Equatable {
    /// How far ahead of the writer: 16 MiB is ~80 ms of WAL at the bench's c=32 load, and the
    /// checkpointer polls every 25 ms while recording is busy.
    var window: UInt64 = 16 << 20
    /// The checkpointer's restart bound (`CheckpointPolicy.restartAfter`).
    var restartAfter: UInt64
    /// How long a stretch asked for is taken to stay cached.
    var refreshNanos: UInt64 = 2_000_000_000

    /// The WAL file's header before its first frame.
    static let headerBytes: UInt64 = 32

    private var afterLog: Advised?
    private var fileStart: Advised?

    private struct Advised: Sendable, Equatable {
        var range: Range<UInt64>
        var at: UInt64
    }

    init(restartAfter: UInt64) {
        self.restartAfter = restartAfter
    }

    /// The ranges to ask the kernel for now, given the WAL's progress, the `-wal` file's size
    /// and a monotonic clock. Nothing past the file's end: a write there reads nothing back.
    mutating func ranges(wal: WALProgress?, fileBytes: UInt64, now: UInt64) -> [Range<UInt64>] {
        guard let wal else { return [] }
        let logEnd = Self.headerBytes + wal.usedBytes
        var ranges = Self.extend(&afterLog, to: clamped(logEnd..<logEnd + window, to: fileBytes), now: now, refresh: refreshNanos)
        let startsOver = wal.frames == wal.backfilled || wal.usedBytes + window >= restartAfter
        if startsOver {
            ranges += Self.extend(&fileStart, to: clamped(0..<window, to: fileBytes), now: now, refresh: refreshNanos)
        }
        return ranges
    }

    private func clamped(_ range: Range<UInt64>, to fileBytes: UInt64) -> Range<UInt64> {
        min(range.lowerBound, fileBytes)..<min(range.upperBound, fileBytes)
    }

    /// What of `wanted` was not asked for lately: all of it when the last request is older than
    /// `refresh` or elsewhere in the file, otherwise only what lies past its end.
    private static func extend(_ advised: inout Advised?, to wanted: Range<UInt64>, now: UInt64, refresh: UInt64) -> [Range<UInt64>] {
        guard !wanted.isEmpty else { return [] }
        if let previous = advised, now < previous.at + refresh, previous.range.contains(wanted.lowerBound) {
            guard wanted.upperBound > previous.range.upperBound else { return [] }
            advised?.range = previous.range.lowerBound..<wanted.upperBound
            return [previous.range.upperBound..<wanted.upperBound]
        }
        advised = Advised(range: wanted, at: now)
        return [wanted]
    }
}
