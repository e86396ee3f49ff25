import NIOCore
import NIOHTTP1

/// The last handler of an upstream connection's pipeline (after TLS and NIO's HTTP/1.1 client
/// codec): writes one request at a time and collects its answer, as its `StateMachine`
/// decides. Event-loop bound: every method runs on the connection's loop.
final class UpstreamConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// A complete answer: its head and its whole body.
    struct Answer {
        var head: HTTPResponseHead
        var body: ByteBuffer
    }

    private var machine = StateMachine()
    private var context: ChannelHandlerContext?
    private var promise: EventLoopPromise<Answer>?
    /// The request's deadline and the idle time, on one timer (`Deadlines`). The connection
    /// closes after it has sat idle `idleTimeout` (the upstream may keep it longer).
    private var deadlines: Deadlines
    private var timer: Scheduled<Void>?
    /// Called once an answer has come on a connection that may carry another request, and
    /// when the connection has closed (the pool forgets it).
    private let becameReusable: (any Channel) -> Void
    private let closed: (any Channel) -> Void

    init(idleTimeout: TimeAmount, becameReusable: @escaping (any Channel) -> Void, closed: @escaping (any Channel) -> Void) {
        self.deadlines = Deadlines(idleTimeout: idleTimeout)
        self.becameReusable = becameReusable
        self.closed = closed
    }

    /// Whether a request may be sent now.
    var isReady: Bool { machine.isIdle && context?.channel.isActive == true }

    /// Writes a request in one flush; the promise gets its answer, or why there is none by
    /// `deadline`.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?, limit: Int, deadline: NIODeadline, promise: EventLoopPromise<Answer>) {
        guard let context, isReady else {
            promise.fail(UpstreamConnectionError.closedBeforeAnswering)
            return
        }
        self.promise = promise
        machine.requestSent(limit: limit)
        setTimer(deadlines.requestSent(deadline: deadline), context: context)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// A connection counts as idle from the moment it is open: one opened for a request whose
    /// deadline passed meanwhile goes to the pool unused, and must close like any other.
    func channelActive(context: ChannelHandlerContext) {
        if machine.isIdle { setTimer(deadlines.becameIdle(now: context.eventLoop.now), context: context) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): run(machine.receivedHead(head), context: context)
        case .body(let part): run(machine.receivedBody(part), context: context)
        case .end: run(machine.receivedEnd(), context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        run(machine.failed(error), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        deadlines.closed()
        run(machine.closed(), context: context)
        closed(context.channel)
        context.fireChannelInactive()
    }

    private func run(_ action: StateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .succeed(let head, let body, let reusable):
            let promise = self.promise
            self.promise = nil
            if reusable {
                setTimer(deadlines.becameIdle(now: context.eventLoop.now), context: context)
                becameReusable(context.channel)
            } else {
                context.close(promise: nil)
            }
            promise?.succeed(Answer(head: head, body: body))
        case .fail(let error):
            let promise = self.promise
            self.promise = nil
            context.close(promise: nil)
            promise?.fail(error)
        case .close:
            context.close(promise: nil)
        }
    }

    /// Moves the timer to `time`, when `Deadlines` says it must move.
    private func setTimer(_ time: NIODeadline?, context: ChannelHandlerContext) {
        guard let time else { return }
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { self.timerFired() }
    }

    private func timerFired() {
        timer = nil
        guard let context else { return }
        let (due, next) = deadlines.fired(now: context.eventLoop.now)
        setTimer(next, context: context)
        switch due {
        case .nothing: break
        case .request: run(machine.deadlinePassed(), context: context)
        case .idle: context.close(promise: nil)
        }
    }
}
