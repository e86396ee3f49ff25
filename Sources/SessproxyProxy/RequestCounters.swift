import Synchronization

/// Requests served and in flight, for the health endpoint.
final class RequestCounters: Sendable {
    private let servedCount = Atomic<Int>(0)
    private let inFlightCount = Atomic<Int>(0)

    func began() {
        servedCount.add(1, ordering: .relaxed)
        inFlightCount.add(1, ordering: .relaxed)
    }

    func ended() { inFlightCount.subtract(1, ordering: .relaxed) }
    var served: Int { servedCount.load(ordering: .relaxed) }
    var inFlight: Int { inFlightCount.load(ordering: .relaxed) }
}
