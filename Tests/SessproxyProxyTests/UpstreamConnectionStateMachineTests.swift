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
