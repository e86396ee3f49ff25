#if canImport(Glibc)
import Glibc
#endif

/// Serving needs two descriptors per request in flight (the app's connection and the upstream's)
/// besides the cassette's. A service manager's usual soft limit of 1,024 would run out at about
/// 500 concurrent requests while the hard limit allows far more, so a serving mode raises its soft
/// limit to the hard one (capped), as nginx's `worker_rlimit_nofile` and Go's runtime do.
enum OpenFileLimit {
    /// Enough for the upstream pool's 1,024 connections and as many app connections, with room.
    static let wanted: rlim_t = 65_536

    /// Raises the soft limit towards `wanted`, never above the hard limit; failures are ignored
    /// (the process simply keeps the limit it was given).
    static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(wanted, limit.rlim_max)
        guard limit.rlim_cur < target else { return }
        limit.rlim_cur = target
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
