import Foundation
import Glibc
import SessproxyCore

/// Where exchanges go that were answered but could not be committed because the cassette stayed
/// locked through the whole of shutdown's wait: a HAR file beside the cassette
/// (`checkout.sqlite.unsaved-20261130T074500Z-4242.har`, mode 0600, synced), which
/// `sessproxy import FILE --cassette checkout.sqlite` adds once the lock is gone. What the writer
/// holds is redacted already, so the file holds nothing the cassette would not.
public enum SetAsideFile {
    /// Writes the exchanges and returns the file's path, or why it could not be written.
    static func write(_ exchanges: [RecordedExchange], besideCassette cassette: String, at time: Date = Date()) -> Result<String, SetAsideError> {
        // `2026-11-30T07:45:00.123Z` → `20261130T074500Z`.
        let stamp = Timestamp.format(time).filter { $0.isNumber || $0 == "T" }.prefix(15)
        var bytes = JSONSerializer.bytes(HARDocument.document(for: exchanges, creatorVersion: "sessproxy"), style: .pretty)
        bytes.append(UInt8(ascii: "\n"))
        // Never over another file: a second batch in the same second gets `-2`, and so on.
        var path = ""
        var fd: Int32 = -1
        for attempt in 1...100 {
            path = "\(cassette).unsaved-\(stamp)Z-\(getpid())\(attempt == 1 ? "" : "-\(attempt)").har"
            fd = Glibc.open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { return .failure(SetAsideError(path: path, errno: errno)) }
        defer { Glibc.close(fd) }
        if let failure = FileDescriptorWrite.all(bytes, to: fd) { return .failure(SetAsideError(path: path, errno: failure)) }
        guard fsync(fd) == 0 else { return .failure(SetAsideError(path: path, errno: errno)) }
        return .success(path)
    }
}
