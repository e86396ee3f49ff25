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

/// One upstream connection's exchanges, decided without sockets: what ends an answer, what
/// makes a connection reusable, what a failure costs.
@Suite struct UpstreamConnectionStateMachineTests {
    typealias Machine = UpstreamConnectionHandler.StateMachine

    static func head(_ status: HTTPResponseStatus, version: HTTPVersion = .http1_1, _ headers: [(String, String)] = []) -> HTTPResponseHead {
        HTTPResponseHead(version: version, status: status, headers: HTTPHeaders(headers))
    }

    /// Sends a request, feeds the events, returns the last action.
    static func run(limit: Int = 1024, _ events: [(inout Machine) -> Machine.Action]) -> (Machine, Machine.Action) {
        var machine = Machine()
        machine.requestSent(limit: limit)
        var last = Machine.Action.none
        for event in events { last = event(&machine) }
        return (machine, last)
    }

    @Test func aKeepAliveAnswerLeavesTheConnectionReusable() throws {
        let (machine, action) = Self.run([
            { $0.receivedHead(Self.head(.ok)) }, { $0.receivedBody(ByteBuffer(string: "{}")) }, { $0.receivedEnd() },
        ])
        guard case .succeed(let head, let body, let reusable) = action else { Issue.record("\(action)"); return }
        #expect(head.status == .ok && body == ByteBuffer(string: "{}") && reusable)
        #expect(machine.isIdle)
    }

    @Test(arguments: [
        (HTTPVersion.http1_1, [("Connection", "close")]),
        (HTTPVersion.http1_0, []),
    ])
    func anAnswerThatEndsTheConnectionIsNotReused(version: HTTPVersion, headers: [(String, String)]) {
        let (machine, action) = Self.run([{ $0.receivedHead(Self.head(.ok, version: version, headers)) }, { $0.receivedEnd() }])
        guard case .succeed(_, _, let reusable) = action else { Issue.record("\(action)"); return }
        #expect(!reusable && !machine.isIdle)
    }

    @Test func interimAnswersAreSkipped() {
        let (_, action) = Self.run([
            { $0.receivedHead(Self.head(.init(statusCode: 103))) }, { $0.receivedEnd() },
            { $0.receivedHead(Self.head(.created)) }, { $0.receivedBody(ByteBuffer(string: "x")) }, { $0.receivedEnd() },
        ])
        guard case .succeed(let head, let body, _) = action else { Issue.record("\(action)"); return }
        #expect(head.status == .created && body == ByteBuffer(string: "x"))
    }

    @Test func aDeadlinePassingMidAnswerFailsTheRequestAndEndsTheConnection() {
        let (machine, action) = Self.run([{ $0.receivedHead(Self.head(.ok)) }, { $0.deadlinePassed() }])
        guard case .fail(let error) = action else { Issue.record("\(action)"); return }
        #expect(error as? UpstreamConnectionError == .deadlineExceeded)
        #expect(!machine.isIdle)
        var idle = Machine()
        guard case .none = idle.deadlinePassed() else { Issue.record("a deadline with no request on the connection"); return }
        #expect(idle.isIdle)
    }

    @Test func aBodyOverTheLimitFailsAndClosesTheConnection() {
        let (machine, action) = Self.run(limit: 4, [
            { $0.receivedHead(Self.head(.ok)) }, { $0.receivedBody(ByteBuffer(string: "abc")) }, { $0.receivedBody(ByteBuffer(string: "de")) },
        ])
        guard case .fail(let error) = action else { Issue.record("\(action)"); return }
        #expect(error as? UpstreamConnectionError == .answerTooLarge(limit: 4))
        #expect(!machine.isIdle)
    }

    @Test func aCloseSaysHowFarTheAnswerGot() {
        let (_, before) = Self.run([{ $0.closed() }])
        let (_, during) = Self.run([{ $0.receivedHead(Self.head(.ok)) }, { $0.receivedBody(ByteBuffer(string: "{")) }, { $0.closed() }])
        guard case .fail(let first) = before, case .fail(let second) = during else { Issue.record("\(before) \(during)"); return }
        #expect(first as? UpstreamConnectionError == .closedBeforeAnswering)
        #expect(second as? UpstreamConnectionError == .closedMidAnswer)
    }

    /// A close or a reset before the first byte of an answer on a connection that already
    /// carried one is the keep-alive race, told apart so that the pool may repeat the request.
    @Test func aReusedConnectionClosingBeforeItsAnswerIsTheKeepAliveRace() {
        let answered: [(inout Machine) -> Machine.Action] = [
            { $0.receivedHead(Self.head(.ok)) }, { $0.receivedEnd() }, { $0.requestSent(limit: 1024); return .none },
        ]
        let reset = IOError(errnoCode: ECONNRESET, reason: "read")
        for last: (inout Machine) -> Machine.Action in [{ $0.closed() }, { $0.failed(reset) }] {
            let (reused, action) = Self.run(answered + [last])
            guard case .fail(let error) = action else { Issue.record("\(action)"); continue }
            #expect(error as? UpstreamConnectionError == .closedWhenReused)
            #expect(reused.hasAnswered)
            let (_, first) = Self.run([last])
            guard case .fail(let firstError) = first else { Issue.record("\(first)"); continue }
            #expect(firstError as? UpstreamConnectionError != .closedWhenReused, "a new connection's failure is the request's")
        }
        // Not a reset (TLS, a malformed answer): that error, whatever the connection's age.
        let (_, other) = Self.run(answered + [{ $0.failed(ChannelError.outputClosed) }])
        guard case .fail(let otherError) = other else { Issue.record("\(other)"); return }
        #expect(otherError as? ChannelError == .outputClosed)
        // Once the answer has begun, a close is the answer's failure, never a repeat.
        let (_, midway) = Self.run(answered + [{ $0.receivedHead(Self.head(.ok)) }, { $0.closed() }])
        guard case .fail(let midwayError) = midway else { Issue.record("\(midway)"); return }
        #expect(midwayError as? UpstreamConnectionError == .closedMidAnswer)
    }

    @Test(arguments: [
        (HTTPMethod.GET, UpstreamConnectionError.closedWhenReused, false, true),
        (.PUT, .closedWhenReused, false, true),
        (.DELETE, .closedWhenReused, false, true),
        (.POST, .closedWhenReused, false, false),
        (.PATCH, .closedWhenReused, false, false),
        (.GET, .closedWhenReused, true, false),
        (.GET, .closedBeforeAnswering, false, false),
        (.GET, .closedMidAnswer, false, false),
        (.GET, .deadlineExceeded, false, false),
    ])
    func onlyAnIdempotentRequestCaughtInTheRaceIsRepeatedOnce(method: HTTPMethod, error: UpstreamConnectionError, isRepeat: Bool, repeats: Bool) {
        #expect(UpstreamRetryPolicy.repeatsOnNewConnection(after: error, method: method, isRepeat: isRepeat) == repeats)
    }

    @Test func anIdleConnectionIsClosedOnAnythingUnasked() {
        var machine = Machine()
        guard case .close = machine.receivedHead(Self.head(.ok)) else { Issue.record("an unasked answer"); return }
        #expect(!machine.isIdle)
        var other = Machine()
        guard case .close = other.failed(ChannelError.eof) else { Issue.record("an error while idle"); return }
        var quiet = Machine()
        guard case .none = quiet.closed() else { Issue.record("a close while idle"); return }
    }
}

/// The pool seen from the upstream's side.
@Suite(.serialized) struct UpstreamConnectionPoolTests {
    typealias Support = ProxyTestSupport

    /// Each event loop keeps its own idle connections (a request never hops threads to find
    /// one), so sequential requests use at most one connection per loop.
    @Test func keepAliveConnectionsAreReused() async throws {
        let upstream = KeepAliveTCPServer()
        defer { upstream.stop() }
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)") { port, _ in
            for _ in 0..<20 {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(answer.status == 200)
            }
        }
        #expect(upstream.requests == 20)
        #expect(upstream.connections <= min(NIOSingletons.groupLoopCountSuggestion, 19), "\(upstream.connections) connections")
    }

    /// An upstream that closes an idle connection (its keep-alive timeout) costs the app nothing:
    /// the next request goes out on a new connection.
    @Test func anUpstreamClosingIdleConnectionsCostsNothing() async throws {
        let upstream = KeepAliveTCPServer(.closesIdleConnections)
        defer { upstream.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", cassette: cassette) { port, _ in
            for _ in 0..<3 {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                #expect(answer.status == 200)
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        #expect(upstream.requests == 3)
        #expect(upstream.connections == 3)
        #expect(try Cassette.open(path: cassette).allExchanges().map(\.status) == [200, 200, 200])
    }

    /// A request sent on a kept-alive connection has its deadline too, although the pool sets no
    /// timer for it (the connection's handler keeps it): an upstream that hangs on the second
    /// request of a connection costs the app the timeout, not a hang, and the next request gets a
    /// new connection.
    @Test(.timeLimit(.minutes(1))) func aRequestOnAKeptAliveConnectionStillHasItsDeadline() async throws {
        let upstream = KeepAliveTCPServer(.stallsAfterTheFirstAnswer)
        defer { upstream.stop() }
        let rounds = 2 * NIOSingletons.groupLoopCountSuggestion + 2
        let statuses = try await Support.withRecorder(upstream: "http://127.0.0.1:\(upstream.port)", timeout: .milliseconds(300)) { port, _ in
            var statuses: [Int] = []
            for _ in 0..<rounds {
                let started = ContinuousClock.now
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                statuses.append(answer.status)
                if answer.status == 504 {
                    #expect(answer.json?["error_code"] == .string(SessproxyErrorCode.upstreamTimeout))
                    #expect(ContinuousClock.now - started < .seconds(2))
                }
            }
            return statuses
        }
        #expect(statuses.contains(504), "no connection was reused: \(statuses)")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 504 }, "\(statuses)")
        #expect(statuses.filter { $0 == 200 }.count == upstream.connections, "each connection answers once: \(statuses)")
    }

    /// The upstream closes a kept-alive connection just as the next request arrives on it: a
    /// read of a session is sent again on a new connection and the app sees only the answer
    /// (recorded once); a create is not repeated — the upstream may have acted on it — and the
    /// app gets `SESSPROXY_UPSTREAM_RESET`. More requests than event loops, so that connections
    /// are reused.
    @Test func aReadCaughtInTheKeepAliveRaceIsRepeatedButACreateIsNot() async throws {
        let rounds = 4 * NIOSingletons.groupLoopCountSuggestion + 2
        let reads = KeepAliveTCPServer(.closesAsTheNextRequestArrives)
        defer { reads.stop() }
        let cassette = Support.temporaryCassette()
        try await Support.withRecorder(upstream: "http://127.0.0.1:\(reads.port)", cassette: cassette) { port, _ in
            for _ in 0..<rounds {
                let answer = try await Support.send("GET", "http://127.0.0.1:\(port)/payments/v1/sessions/keep-alive-1")
                #expect(answer.status == 200)
            }
        }
        #expect(reads.requests > rounds, "no connection was reused")
        #expect(try Cassette.open(path: cassette).allExchanges().map(\.status) == Array(repeating: 200, count: rounds))

        let creates = KeepAliveTCPServer(.closesAsTheNextRequestArrives)
        defer { creates.stop() }
        let statuses = try await Support.withRecorder(upstream: "http://127.0.0.1:\(creates.port)") { port, _ in
            var statuses: [Int] = []
            for _ in 0..<rounds {
                let answer = try await Support.send("POST", "http://127.0.0.1:\(port)/payments/v1/sessions", body: Support.createBody)
                statuses.append(answer.status)
                if answer.status != 200 { #expect(String(decoding: answer.body, as: UTF8.self).contains("SESSPROXY_UPSTREAM_RESET")) }
            }
            return statuses
        }
        #expect(statuses.contains(502), "a create was repeated: \(statuses)")
        #expect(creates.requests == rounds)
    }
}

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

/// One upstream connection's handler on an `EmbeddedChannel`, its one timer driven by the embedded
/// loop's clock: a request past its deadline fails and ends the connection, and a connection left
/// idle for the idle timeout closes, whether it ever carried a request or not.
@Suite struct UpstreamConnectionHandlerTimerTests {
    final class Events: @unchecked Sendable {
        var reusable = 0
        var closed = 0
    }

    static func connected(idleTimeout: TimeAmount) throws -> (EmbeddedChannel, UpstreamConnectionHandler, Events) {
        let events = Events()
        let handler = UpstreamConnectionHandler(
            idleTimeout: idleTimeout, becameReusable: { _ in events.reusable += 1 }, closed: { _ in events.closed += 1 })
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler, events)
    }

    static let request = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/payments/v1/sessions")

    @Test func aConnectionNeverUsedClosesAfterTheIdleTimeout() throws {
        let (channel, _, events) = try Self.connected(idleTimeout: .seconds(60))
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
        #expect(events.closed == 1)
    }

    @Test func aConnectionClosesOnceIdleForTheIdleTimeoutAfterItsLastAnswer() throws {
        let (channel, handler, events) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        loop.advanceTime(by: .seconds(50))
        let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: answer)
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        try channel.writeInbound(HTTPClientResponsePart.end(nil))
        #expect(try answer.futureResult.wait().head.status == .ok)
        #expect(events.reusable == 1)
        // Past the first idle time (60 s from opening) and the request's deadline, 59 s after the answer.
        loop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func aRequestPastItsDeadlineFailsAndEndsTheConnection() throws {
        let (channel, handler, _) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(5), promise: answer)
        try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        loop.advanceTime(by: .seconds(4))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(throws: UpstreamConnectionError.deadlineExceeded) { try answer.futureResult.wait() }
        #expect(!channel.isActive)
    }

    @Test func requestsBackToBackKeepTheirOwnDeadlines() throws {
        let (channel, handler, _) = try Self.connected(idleTimeout: .seconds(60))
        let loop = channel.embeddedEventLoop
        for _ in 0..<3 {
            let answer = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
            handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: answer)
            loop.advanceTime(by: .seconds(20))
            try channel.writeInbound(HTTPClientResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
            try channel.writeInbound(HTTPClientResponsePart.end(nil))
            #expect(try answer.futureResult.wait().head.status == .ok)
        }
        // Each time, the timer was still set for an earlier request's deadline: it fired, found
        // nothing due and moved on. The fourth request still fails at its own deadline, not before.
        let last = loop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        handler.send(Self.request, body: nil, limit: 1024, deadline: loop.now + .seconds(30), promise: last)
        loop.advanceTime(by: .seconds(29))
        #expect(channel.isActive)
        loop.advanceTime(by: .seconds(1))
        #expect(throws: UpstreamConnectionError.deadlineExceeded) { try last.futureResult.wait() }
    }
}
