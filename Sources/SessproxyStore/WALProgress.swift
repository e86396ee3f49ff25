import Foundation

/// How far a cassette's WAL is written and folded back, read from the `-shm` wal-index without
/// taking a lock (SQLite's documented layout, https://www.sqlite.org/walformat.html): `mxFrame`
/// at byte 16 of the index header, `nBackfill` at byte 96, both in native byte order. A torn
/// read only moves one checkpoint earlier or later.
struct WALProgress: Sendable, Equatable {
    /// Valid frames in the WAL since it last started over.
    var frames: UInt32
    /// Frames of those already copied back into the database file.
    var backfilled: UInt32
    /// Bytes per frame (page plus its 24-byte frame header).
    var frameSize: Int

    /// Bytes of WAL not yet folded back.
    var pendingBytes: UInt64 { UInt64(frames >= backfilled ? frames - backfilled : frames) * UInt64(frameSize) }
    /// Bytes of WAL in use since it last started over.
    var usedBytes: UInt64 { UInt64(frames) * UInt64(frameSize) }

    init(frames: UInt32, backfilled: UInt32, frameSize: Int) {
        self.frames = frames
        self.backfilled = backfilled
        self.frameSize = frameSize
    }

    /// Parses the first 100 bytes of a `-shm` file; nil when it is too short or not initialised.
    init?(shmPrefix bytes: [UInt8]) {
        guard bytes.count >= 100, bytes[12] == 1 else { return nil }
        func u32(_ offset: Int) -> UInt32 {
            bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
        }
        let rawPageSize = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 14, as: UInt16.self) }
        let pageSize = rawPageSize == 1 ? 65_536 : Int(rawPageSize)
        guard pageSize >= 512 else { return nil }
        self.init(frames: u32(16), backfilled: u32(96), frameSize: pageSize + 24)
    }
}
