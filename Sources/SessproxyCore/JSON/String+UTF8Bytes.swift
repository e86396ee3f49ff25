extension String {
    /// Calls `body` with the string's UTF-8 bytes: read in place when they are stored contiguously
    /// (every native string), copied first otherwise. Unlike `withUTF8`, it needs no mutable copy
    /// of the string, so it reads a borrowed one (a key or value inside a JSON tree) as it lies.
    @inline(__always)
    func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        var copied = self
        return try copied.withUTF8(body)
    }
}
