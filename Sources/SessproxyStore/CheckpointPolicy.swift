/// When the background checkpointer folds the WAL back into the cassette, and how. A pure
/// decision, tested without files or clocks.
///
/// What counts is the WAL's progress (`WALProgress`: frames written and frames copied back),
/// not the size of the `-wal` file, which SQLite reuses from its start without shrinking it — a
/// size check would see one burst as "over the limit" for good and checkpoint at every poll.
///
/// - A passive checkpoint never holds the writer up, but it competes with it for the cores and the
///   disk: each pass ends in two `fsync`s. Measured at c=1 on two cores, folds of 4 MiB at normal
///   priority put record's p99 at 3.4–4.1 ms against 1.2–1.9 ms with no checkpoint at all. So a
///   passive pass runs whenever 1 MiB waits (short passes, polled every 25 ms while recording is
///   busy), at the lowest priority (`placement(of:wal:takingOver:)`): while little waits, on an
///   idle-class thread, which every other thread preempts at once — the batch-class writer too,
///   which waited behind a fold at nice 19 for 0.2–0.7 ms in about one request of forty-five at c=1
///   — and, once more than 4 MiB waits (no core has been idle long enough), at nice 19, which keeps
///   up on a saturated machine. It also runs once recording goes quiet; when it folded everything,
///   the writer's next commit starts the WAL over.
/// - Under load that never pauses, every passive pass leaves the frames committed meanwhile
///   behind, and the WAL would grow without end. Once 256 MiB of it are in use, a passive pass
///   is followed by a restart, which folds those few frames while the writer waits (1–2.5 ms
///   measured at c=1, once the checkpointer has synced the database file beforehand), and the
///   WAL starts over.
/// - When recording has been quiet for a minute and the `-wal` file is over 64 MiB, it is
///   truncated: the disk space comes back. Not sooner: the next burst writes its WAL into those
///   blocks, and writing into blocks already allocated is cheaper than into new ones — in
///   alternating runs of the bench's loads with pauses of ~10 s between them, truncating at each
///   pause put record's c=1 p50 at 534–649 µs against 513–529 µs with the file kept. The file
///   is at most what `restartAfter` lets the WAL reach, and graceful shutdown truncates it.
struct CheckpointPolicy: Sendable, Equatable {
    enum Action: Equatable {
        case none
        case passive
        /// Passive, then a restart for what was committed during it.
        case passiveThenRestart
        case truncate
    }

    /// Where a pass runs (`SpareCPUThread`).
    enum Placement: Equatable {
        /// On an idle-class thread: only on a core nothing else wants.
        case idleCPU
        /// On a thread at nice 19.
        case spareCPU
        /// At normal priority: a pass that holds the writer while it runs, which a slowed pass
        /// would turn into a stall of every recording request.
        case normal
    }

    var foldAfter: UInt64
    /// The most WAL a pass on an idle-class thread may start with (see
    /// `placement(of:wal:takingOver:)`).
    var idleFoldLimit: UInt64 = 4 << 20
    /// How long a pass on an idle-class thread may take before it gives way to any pass due.
    var idleFoldPatienceNanos: UInt64 = 5_000_000_000
    var restartAfter: UInt64
    var shrinkAfter: UInt64
    var quietNanos: UInt64
    /// How long recording must have been quiet before the `-wal` file is truncated.
    var shrinkQuietNanos: UInt64 = 60_000_000_000
    /// Polls come every `busyPollNanos` while the writer committed within the last second, so
    /// that folds stay small; every `idlePollNanos` otherwise, so that an idle recorder does not
    /// read the wal-index 40 times a second.
    var busyPollNanos: UInt64 = 25_000_000
    var idlePollNanos: UInt64 = 250_000_000
    /// The writer's last commit when the last checkpoint ran.
    private var lastCommitAtCheckpoint: UInt64 = 0
    /// The writer's last commit when the WAL was last restarted. A restart leaves the frame
    /// count as it was until the writer's next commit starts the log over, so without this a
    /// WAL over `restartAfter` when recording stops would be restarted at every poll, holding
    /// the writer each time, and never truncated.
    private var lastCommitAtRestart: UInt64 = 0
    /// The writer's last commit when the `-wal` file was last truncated: a burst whose frames
    /// were all folded while it was still busy must still give its disk space back once quiet.
    private var lastCommitAtTruncate: UInt64 = 0

    init(foldAfter: UInt64 = 1 << 20, restartAfter: UInt64 = 256 << 20, shrinkAfter: UInt64 = 64 << 20, quietNanos: UInt64 = 250_000_000) {
        self.foldAfter = foldAfter
        self.restartAfter = restartAfter
        self.shrinkAfter = shrinkAfter
        self.quietNanos = quietNanos
    }

    /// Where `action` runs: passes that hold the writer at normal priority; a passive one on an
    /// idle core while at most `idleFoldLimit` waits, at nice 19 beyond it, and at nice 19 too
    /// when it takes over from a pass on an idle core that gave way (`outgrewIdleFold`), which
    /// would otherwise queue it behind that pass on the same starved thread.
    func placement(of action: Action, wal: WALProgress?, takingOver: Bool = false) -> Placement {
        switch action {
        case .passiveThenRestart, .truncate: .normal
        case .none, .passive: !takingOver && (wal?.pendingBytes ?? 0) <= idleFoldLimit ? .idleCPU : .spareCPU
        }
    }

    /// Whether a pass still queued or running on an idle-class thread, handed over `waitedNanos`
    /// ago, must give way to `due`, the pass due now (none: nothing to give way to): more WAL
    /// waits than idle cores are folding; `due` is a restart or a truncate, which must not wait
    /// for a thread that may get no CPU; or no core has been idle for `idleFoldPatienceNanos`
    /// (a host the app keeps busy while little is recorded: the WAL grows too slowly to pass
    /// `idleFoldLimit`, and the passes due would wait behind the starved one for as long as the
    /// host stays busy). The pass that takes over, at nice 19 or normal priority
    /// (`placement(of:wal:takingOver:)`), needs the checkpoint lock the idle one holds.
    func outgrewIdleFold(wal: WALProgress?, waitedNanos: UInt64, due: Action) -> Bool {
        guard due != .none else { return false }
        return (wal?.pendingBytes ?? 0) > idleFoldLimit || waitedNanos > idleFoldPatienceNanos || placement(of: due, wal: wal) == .normal
    }

    /// How long to wait before the next `poll`.
    func pollInterval(lastCommit: UInt64, now: UInt64) -> UInt64 {
        lastCommit > 0 && now < lastCommit + 1_000_000_000 ? busyPollNanos : idlePollNanos
    }

    /// The pass due now, if any; nothing is noted until `willRun`, so that a poll that finds the
    /// checkpointer still busy can leave it for the next one.
    /// - Parameters:
    ///   - wal: progress read from the wal-index; nil when the cassette has no WAL open.
    ///   - walFileBytes: size of the `-wal` file.
    ///   - lastCommit: when the writer last committed (monotonic nanoseconds, 0 before the first).
    func due(wal: WALProgress?, walFileBytes: UInt64, lastCommit: UInt64, now: UInt64) -> Action {
        if let wal, wal.usedBytes > restartAfter, lastCommit > lastCommitAtRestart { return .passiveThenRestart }
        if let wal, wal.pendingBytes > foldAfter { return .passive }
        if now >= lastCommit + shrinkQuietNanos, walFileBytes > shrinkAfter, lastCommit > lastCommitAtTruncate { return .truncate }
        if now >= lastCommit + quietNanos, lastCommit > lastCommitAtCheckpoint { return .passive }
        return .none
    }

    /// Notes that `action`, found due when the writer last committed at `lastCommit`, runs.
    mutating func willRun(_ action: Action, lastCommit: UInt64) {
        if action != .none { lastCommitAtCheckpoint = lastCommit }
        if action == .passiveThenRestart { lastCommitAtRestart = lastCommit }
        if action == .truncate { lastCommitAtTruncate = lastCommit }
    }
}
