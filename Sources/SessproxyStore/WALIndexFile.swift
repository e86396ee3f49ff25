import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The cassette's `-shm` wal-index, read for `WALProgress`. Opened once and kept open for as
/// long as the cassette is: closing *any* descriptor of a file drops all of the process's POSIX
/// record locks on it, SQLite's wal-index locks included, and another process opening the
/// cassette could then rebuild the index under the recorder, which dies of a bus error.
final class WALIndexFile: Sendable {
    private let path: String
    /// The open descriptor; nil until the file exists (no WAL opened yet).
    private let descriptor = Mutex<Int32?>(nil)

    init(cassettePath: String) {
        self.path = cassettePath + "-shm"
    }

    deinit {
        descriptor.withLock { fd in
            if let fd { Glibc.close(fd) }
        }
    }

    /// The index header's progress figures; nil while there is no index.
    func progress() -> WALProgress? {
        guard let fd = openedDescriptor() else { return nil }
        var bytes = [UInt8](repeating: 0, count: 100)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 100, 0) }
        guard count == 100 else { return nil }
        return WALProgress(shmPrefix: bytes)
    }

    /// The descriptor, opened on first use. Opened under the lock so that two callers cannot
    /// both open one: the spare could never be closed again without dropping SQLite's locks.
    private func openedDescriptor() -> Int32? {
        descriptor.withLock { fd -> Int32? in
            if let fd { return fd }
            let opened = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { return nil }
            fd = opened
            return opened
        }
    }
}
