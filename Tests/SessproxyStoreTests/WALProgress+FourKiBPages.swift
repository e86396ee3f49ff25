@testable import SessproxyStore

extension WALProgress {
    /// Progress of a WAL of 4 KiB pages (frames of 4,120 bytes), as SQLite writes by default.
    static func fourKiBPages(frames: UInt32, backfilled: UInt32) -> WALProgress {
        WALProgress(frames: frames, backfilled: backfilled, frameSize: 4096 + 24)
    }
}
