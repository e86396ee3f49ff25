import Glibc

/// A set-aside file that could not be written.
public struct SetAsideError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32

    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
