#if canImport(Glibc)
import Glibc
#endif

/// Plain sockets on 127.0.0.1 for tests: a port nobody listens on, and binding or connecting a
/// socket without spelling out `sockaddr_in` each time.
public enum LoopbackSocket {
    /// Binds `fd` to 127.0.0.1:`port` (0: the kernel picks one) and returns the bound port, or
    /// nil when binding fails.
    public static func bind(_ fd: Int32, port: Int = 0) -> Int? {
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A listening socket on 127.0.0.1 at a port the kernel picks (reusable at once after it
    /// closes): the socket and its port, 0 when binding failed.
    public static func listener(backlog: Int32 = 16) -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let port = bind(fd) ?? 0
        listen(fd, backlog)
        return (fd, port)
    }

    /// Connects `fd` to 127.0.0.1:`port`; true when connected.
    public static func connect(_ fd: Int32, port: Int) -> Bool {
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// A port nothing listens on right now: the kernel's pick for a socket that is closed again
    /// at once. A server started on it soon after normally gets it; a client gets "refused".
    public static func unusedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return bind(fd) ?? 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
