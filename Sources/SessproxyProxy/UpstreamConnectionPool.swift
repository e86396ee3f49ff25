import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SessproxyCore
import Synchronization

/// Keep-alive HTTP/1.1 connections to the one upstream, on SwiftNIO's own codec and NIOSSL.
/// A request is sent on the event loop it comes from (the app's connection's, see
/// `EventLoopPinnedChannel`), over an idle connection of that loop or a new one: no thread
/// hop, no lock held during I/O. Connections open as requests need them, with no cap below the
/// app's own concurrency, and close after `idleTimeout` unused or when the upstream closes them.
final class UpstreamConnectionPool: Sendable {
    private let endpoint: UpstreamEndpoint
    private let tls: NIOSSLContext?
    private let connectTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    /// Idle connections by event loop; the lock guards only the lists.
    private let idle = Mutex<[ObjectIdentifier: [any Channel]]>([:])

    init(endpoint: UpstreamEndpoint, tls: NIOSSLContext?, connectTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60)) {
        self.endpoint = endpoint
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
    }

    /// Sends one request and collects its answer, all within `deadline` (connecting included).
    func execute(
        _ head: HTTPRequestHead, body: ByteBuffer?, limit: Int, deadline: NIODeadline
    ) -> EventLoopFuture<UpstreamConnectionHandler.Answer> {
        let eventLoop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        if eventLoop.inEventLoop {
            return executeOnLoop(head, body: body, limit: limit, deadline: deadline, eventLoop: eventLoop)
        }
        return eventLoop.flatSubmit { self.executeOnLoop(head, body: body, limit: limit, deadline: deadline, eventLoop: eventLoop) }
    }

    private func executeOnLoop(
        _ head: HTTPRequestHead, body: ByteBuffer?, limit: Int, deadline: NIODeadline, eventLoop: any EventLoop
    ) -> EventLoopFuture<UpstreamConnectionHandler.Answer> {
        let result = eventLoop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        let exchange = PendingExchange(promise: result, deadline: deadline)
        attempt(head, body: body, limit: limit, exchange: exchange, isRepeat: false, eventLoop: eventLoop)
        return result.futureResult
    }

    /// Sends the request on a connection (a kept-alive one first, unless this is the repeat).
    /// A request that `UpstreamRetryPolicy` allows to repeat goes out once more, on a new
    /// connection, when the reused one turns out to have been closed by the upstream.
    ///
    /// The connection's handler keeps the deadline once the request is on it (on a timer it sets
    /// about once per timeout, not per request); while a new connection is being opened, the
    /// pool keeps it, so that connecting counts too.
    private func attempt(
        _ head: HTTPRequestHead, body: ByteBuffer?, limit: Int, exchange: PendingExchange, isRepeat: Bool, eventLoop: any EventLoop
    ) {
        if !isRepeat, let (channel, handler) = idleConnection(on: eventLoop) {
            send(head, body: body, limit: limit, exchange: exchange, isRepeat: isRepeat, on: channel, handler, eventLoop: eventLoop)
            return
        }
        exchange.keepDeadline(on: eventLoop)
        newConnection(on: eventLoop).whenComplete { connected in
            switch connected {
            case .failure(let error):
                exchange.complete(.failure(error))
            case .success(let channel):
                guard !exchange.isDone else {
                    self.checkIn(channel)
                    return
                }
                guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self) else {
                    exchange.complete(.failure(UpstreamConnectionError.closedBeforeAnswering))
                    return
                }
                self.send(head, body: body, limit: limit, exchange: exchange, isRepeat: isRepeat, on: channel, handler, eventLoop: eventLoop)
            }
        }
    }

    private func send(
        _ head: HTTPRequestHead, body: ByteBuffer?, limit: Int, exchange: PendingExchange, isRepeat: Bool,
        on channel: any Channel, _ handler: UpstreamConnectionHandler, eventLoop: any EventLoop
    ) {
        exchange.handOver()
        // Nothing but the connection completes a request that cannot be repeated: its answer
        // goes straight to the caller.
        guard UpstreamRetryPolicy.mayRepeat(head.method, isRepeat: isRepeat) else {
            handler.send(head, body: body, limit: limit, deadline: exchange.deadline, promise: exchange.promise)
            return
        }
        let answer = eventLoop.makePromise(of: UpstreamConnectionHandler.Answer.self)
        answer.futureResult.whenComplete { outcome in
            if case .failure(let error) = outcome, !exchange.isDone,
                UpstreamRetryPolicy.repeatsOnNewConnection(after: error, method: head.method, isRepeat: isRepeat)
            {
                self.attempt(head, body: body, limit: limit, exchange: exchange, isRepeat: true, eventLoop: eventLoop)
                return
            }
            exchange.complete(outcome)
        }
        handler.send(head, body: body, limit: limit, deadline: exchange.deadline, promise: answer)
    }

    /// An idle connection of this loop that is still open, if there is one.
    private func idleConnection(on eventLoop: any EventLoop) -> (any Channel, UpstreamConnectionHandler)? {
        let key = ObjectIdentifier(eventLoop)
        while let channel = idle.withLock({ $0[key]?.popLast() }) {
            if let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamConnectionHandler.self), handler.isReady {
                return (channel, handler)
            }
        }
        return nil
    }

    /// A new connection on this loop.
    private func newConnection(on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        let tls = self.tls
        let host = endpoint.host
        let idleTimeout = self.idleTimeout
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        // SNI and the certificate's name check need a name; an address is checked as one.
                        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
                        try pipeline.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : host))
                    }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(
                        UpstreamConnectionHandler(
                            idleTimeout: idleTimeout, becameReusable: { [weak self] in self?.checkIn($0) }, closed: { [weak self] in self?.forget($0) }))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
    }

    /// Puts a connection that finished an answer back for the next request on its loop.
    private func checkIn(_ channel: any Channel) {
        guard channel.isActive else { return }
        idle.withLock { $0[ObjectIdentifier(channel.eventLoop), default: []].append(channel) }
    }

    /// Drops a closed connection from the idle list it may be in.
    private func forget(_ channel: any Channel) {
        let key = ObjectIdentifier(channel.eventLoop)
        idle.withLock { lists in lists[key]?.removeAll { $0 === channel } }
    }

    /// Closes every idle connection (at shutdown).
    func closeIdle() {
        let channels = idle.withLock { lists in
            defer { lists.removeAll() }
            return lists.values.flatMap { $0 }
        }
        for channel in channels { channel.close(promise: nil) }
    }
}

/// One request's outcome: its promise, its deadline, and the pool's timer for that deadline
/// while a new connection for it is being opened. Once the request is on a connection, the
/// connection's handler keeps the deadline and the timer is gone. Completed at most once through
/// `complete` (a request that cannot be repeated is completed by the connection directly).
/// Touched only on its event loop.
private final class PendingExchange: @unchecked Sendable {
    let promise: EventLoopPromise<UpstreamConnectionHandler.Answer>
    let deadline: NIODeadline
    private(set) var isDone = false
    private var timer: Scheduled<Void>?
    /// Set once the request is on a connection: a timer that still runs in the same tick as its
    /// cancellation then does nothing.
    private var handedOver = false

    init(promise: EventLoopPromise<UpstreamConnectionHandler.Answer>, deadline: NIODeadline) {
        self.promise = promise
        self.deadline = deadline
    }

    /// Fails the request if the deadline passes before it is on a connection (connecting counts).
    func keepDeadline(on eventLoop: any EventLoop) {
        guard timer == nil, !isDone else { return }
        handedOver = false
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            guard !self.handedOver else { return }
            self.complete(.failure(UpstreamConnectionError.deadlineExceeded))
        }
    }

    /// The request is on a connection, whose handler keeps the deadline from now on.
    func handOver() {
        handedOver = true
        timer?.cancel()
        timer = nil
    }

    func complete(_ result: Result<UpstreamConnectionHandler.Answer, any Error>) {
        guard !isDone else { return }
        isDone = true
        timer?.cancel()
        timer = nil
        promise.completeWith(result)
    }
}
