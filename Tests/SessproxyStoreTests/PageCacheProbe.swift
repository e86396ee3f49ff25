import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Drops a file's pages from the page cache and asks which are cached, for tests.
enum PageCacheProbe {
    /// Whether files under `directory` can leave the page cache (not on tmpfs, whose pages are
    /// the file): a small file is written, dropped and looked at.
    static func dropsPages(under directory: String) -> Bool {
        let path = directory + "/sessproxy-page-cache-probe-\(UUID().uuidString)"
        defer { unlink(path) }
        guard FileManager.default.createFile(atPath: path, contents: Data(count: 64 << 10)),
            (try? drop(path)) != nil, let resident = try? residentFraction(of: path, bytes: 64 << 10)
        else { return false }
        return resident == 0
    }

    /// Writes the file's dirty pages out, then lets the kernel drop them all.
    static func drop(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
        defer { close(fd) }
        _ = fsync(fd)
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)
    }

    /// The share of the file's first `bytes` that is in the page cache (`mincore` over a
    /// mapping, which reports the cache whether or not the mapping touched the pages).
    static func residentFraction(of path: String, bytes: UInt64) throws -> Double {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileNoSuchFile) }
        defer { close(fd) }
        let length = Int(bytes)
        guard length > 0, let base = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw CocoaError(.fileReadUnknown)
        }
        defer { munmap(base, length) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (length + pageSize - 1) / pageSize)
        guard mincore(base, length, &vector) == 0 else { throw CocoaError(.fileReadUnknown) }
        return Double(vector.filter { $0 & 1 == 1 }.count) / Double(vector.count)
    }
}
