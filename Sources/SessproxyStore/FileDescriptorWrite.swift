import Glibc

/// Writing bytes whole to an open descriptor, with the system's own calls so that a failure
/// keeps its errno (`strerror`'s words in the message): short writes continue, `EINTR` retries.
public enum FileDescriptorWrite {
    /// Nil when every byte was written, else the errno of the write that failed.
    public static func all(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return count < 0 ? errno : EIO }
            written += count
        }
        return nil
    }
}
