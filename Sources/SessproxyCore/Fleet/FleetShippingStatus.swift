import Foundation

/// How shipping to the fleet store stands, for health and metrics: what went out this run, what
/// waits, the last error (nil once shipping works again), and the lag — how long the oldest
/// exchange not yet shipped has been waiting.
public struct FleetShippingStatus: Sendable, Equatable {
    public var destination: String
    public var connected = false
    public var shipped = 0
    public var pending: Int64 = 0
    public var lastError: String?
    /// Seconds since the oldest unshipped exchange started; 0 when nothing waits.
    public var lagSeconds: Double = 0

    public init(destination: String) {
        self.destination = destination
    }

    /// Backoff after `failures` failed attempts in a row: 0.5 s doubling to 30 s.
    public static func retryDelay(afterFailures failures: Int) -> Duration {
        .milliseconds(min(30_000, 500 << min(max(failures - 1, 0), 6)))
    }

    public var healthMembers: [JSONMember] {
        [
            JSONMember(key: "fleet", value: .object([
                JSONMember(key: "destination", value: .string(destination)),
                JSONMember(key: "connected", value: .bool(connected)),
                JSONMember(key: "shipped", value: .number(String(shipped))),
                JSONMember(key: "pending", value: .number(String(pending))),
                JSONMember(key: "lag_seconds", value: .number(String(format: "%.3f", lagSeconds))),
                JSONMember(key: "last_error", value: lastError.map { .string($0) } ?? .null),
            ])),
        ]
    }

    public var metricsExposition: String {
        """
        # HELP sessproxy_fleet_shipped_total Exchanges shipped to the fleet store this run.
        # TYPE sessproxy_fleet_shipped_total counter
        sessproxy_fleet_shipped_total \(shipped)
        # HELP sessproxy_fleet_pending Committed exchanges not yet shipped.
        # TYPE sessproxy_fleet_pending gauge
        sessproxy_fleet_pending \(pending)
        # HELP sessproxy_fleet_lag_seconds Age of the oldest exchange not yet shipped.
        # TYPE sessproxy_fleet_lag_seconds gauge
        sessproxy_fleet_lag_seconds \(String(format: "%.3f", lagSeconds))
        # HELP sessproxy_fleet_connected Whether the fleet store is reachable.
        # TYPE sessproxy_fleet_connected gauge
        sessproxy_fleet_connected \(connected ? 1 : 0)

        """
    }
}
