import NIOCore
import NIOEmbedded
import NIOHTTP1
import SessproxyCore
import SessproxyStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import SessproxyProxy

/// One timer per upstream connection, for the request's deadline and the idle time: when it
/// must move and what is due when it fires, without sockets or clocks.
@Suite struct UpstreamConnectionDeadlinesTests {
    typealias Deadlines = UpstreamConnectionHandler.Deadlines
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func requestsBackToBackSetNoTimerOfTheirOwn() {
        var deadlines = Deadlines(idleTimeout: .seconds(60))
        #expect(deadlines.requestSent(deadline: Self.start + .seconds(30)) == Self.start + .seconds(30))
        #expect(deadlines.becameIdle(now: Self.start + .milliseconds(1)) == nil, "the timer already fires before the idle time is up")
        for step in 1...100 {
            let now = Self.start + .milliseconds(Int64(step))
            #expect(deadlines.requestSent(deadline: now + .seconds(30)) == nil)
            #expect(deadlines.becameIdle(now: now + .microseconds(500)) == nil)
        }
        // It fires at the first deadline, finds nothing due and waits for the idle time.
        let fired = deadlines.fired(now: Self.start + .seconds(30))
        #expect(fired.due == .nothing)
        #expect(fired.next == Self.start + .milliseconds(100) + .microseconds(500) + .seconds(60))
    }

    @Test func aRequestPastItsDeadlineIsDue() {
        var deadlines = Deadlines(idleTimeout: .seconds(60))
        _ = deadlines.requestSent(deadline: Self.start + .seconds(5))
        #expect(deadlines.fired(now: Self.start + .seconds(5)) == (.request, nil))
        #expect(deadlines.request == nil)
    }

    @Test func aShorterDeadlineMovesTheTimerForward() {
        var deadlines = Deadlines(idleTimeout: .seconds(60))
        _ = deadlines.requestSent(deadline: Self.start + .seconds(30))
        _ = deadlines.becameIdle(now: Self.start + .seconds(1))
        #expect(deadlines.requestSent(deadline: Self.start + .seconds(3)) == Self.start + .seconds(3))
    }

    @Test func anIdleConnectionIsDueOnceItsIdleTimeIsUp() {
        var deadlines = Deadlines(idleTimeout: .seconds(2))
        _ = deadlines.requestSent(deadline: Self.start + .seconds(30))
        // The idle time ends before the last deadline: the timer moves forward to it.
        #expect(deadlines.becameIdle(now: Self.start + .seconds(1)) == Self.start + .seconds(3))
        #expect(deadlines.fired(now: Self.start + .seconds(2)) == (.nothing, Self.start + .seconds(3)), "fired early")
        #expect(deadlines.fired(now: Self.start + .seconds(3)) == (.idle, nil))
    }

    @Test func aConnectionInUseIsNotClosedForIdleness() {
        var deadlines = Deadlines(idleTimeout: .seconds(2))
        _ = deadlines.becameIdle(now: Self.start)
        _ = deadlines.requestSent(deadline: Self.start + .seconds(30))
        let fired = deadlines.fired(now: Self.start + .seconds(2))
        #expect(fired.due == .nothing && fired.next == Self.start + .seconds(30))
    }

    @Test func nothingIsDueAfterTheConnectionClosed() {
        var deadlines = Deadlines(idleTimeout: .seconds(2))
        _ = deadlines.requestSent(deadline: Self.start + .seconds(1))
        deadlines.closed()
        #expect(deadlines.fired(now: Self.start + .seconds(5)) == (.nothing, nil))
    }
}
