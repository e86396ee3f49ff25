import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A file beside the cassette — the `-shm` wal-index, the `-wal` log — that sessproxy reads on
/// a descriptor of its own. Opened on first use (the file may not exist yet) and kept open for
/// as long as the cassette is: closing *any* descriptor of a file drops all of the process's
/// POSIX record locks on it, SQLite's wal-index locks included, and another process opening the
/// cassette could then rebuild the index under the recorder, which dies of a bus error.
final class KeptOpenFile: Sendable {
    let path: String
    /// The open descriptor; nil until the file exists.
    private let descriptor = Mutex<Int32?>(nil)

    init(path: String) {
        self.path = path
    }

    deinit {
        descriptor.withLock { fd in
            if let fd { Glibc.close(fd) }
        }
    }

    /// `count` bytes from `offset`; nil while the file does not exist or is shorter.
    func read(count: Int, at offset: Int) -> [UInt8]? {
        guard let fd = openedDescriptor() else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return read == count ? bytes : nil
    }

    /// Asks the kernel to bring these byte ranges into the page cache (`POSIX_FADV_WILLNEED`).
    /// Returns once the reads are queued, not when they are done; pages already cached cost a
    /// lookup each.
    func adviseWillNeed(_ ranges: [Range<UInt64>]) {
        guard let fd = openedDescriptor() else { return }
        for range in ranges where !range.isEmpty {
            _ = posix_fadvise(fd, off_t(range.lowerBound), off_t(range.count), POSIX_FADV_WILLNEED)
        }
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
