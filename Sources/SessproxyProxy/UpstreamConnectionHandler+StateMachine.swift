import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

extension UpstreamConnectionHandler {
    /// One upstream connection's exchanges, one at a time: each event a `mutating func` that
    /// returns what the handler must do, with no I/O in here (tested without sockets).
    struct StateMachine {
        enum State {
            /// Open, no request on it: in the pool, or just connected.
            case idle
            /// A request went out; nothing of its answer yet. `limit` bounds the answer's body.
            case awaitingHead(limit: Int)
            /// A `1xx` interim answer (`103 Early Hints`…) is being skipped until its end.
            case skippingInterim(limit: Int)
            case receivingBody(head: HTTPResponseHead, body: ByteBuffer, limit: Int)
            /// Closed, or failed and closing: takes no more requests.
            case closed
        }

        enum Action {
            case none
            /// The answer is complete; `reusable` when the connection may carry another request.
            case succeed(HTTPResponseHead, ByteBuffer, reusable: Bool)
            /// The request failed; the connection is closed (it is in an unknown state).
            case fail(any Error)
            /// Nothing waits, but the connection must go (an error or an unasked answer while idle).
            case close
        }

        private(set) var state: State = .idle
        /// Whether an answer already came on this connection: a close before the first byte of
        /// a later one is then the keep-alive race (`closedWhenReused`), not the request's fault.
        private(set) var hasAnswered = false

        var isIdle: Bool {
            if case .idle = state { return true }
            return false
        }

        /// A request was written; its answer may carry at most `limit` body bytes.
        mutating func requestSent(limit: Int) {
            precondition(isIdle, "a request on a busy connection")
            state = .awaitingHead(limit: limit)
        }

        mutating func receivedHead(_ head: HTTPResponseHead) -> Action {
            switch state {
            case .awaitingHead(let limit):
                if head.status.code >= 100, head.status.code < 200, head.status.code != 101 {
                    state = .skippingInterim(limit: limit)
                } else {
                    state = .receivingBody(head: head, body: ByteBuffer(), limit: limit)
                }
                return .none
            case .idle:
                // An answer nobody asked for: the connection cannot be trusted with a request.
                state = .closed
                return .close
            case .skippingInterim, .receivingBody, .closed:
                return .none
            }
        }

        mutating func receivedBody(_ part: ByteBuffer) -> Action {
            guard case .receivingBody(let head, var body, let limit) = state else { return .none }
            guard body.readableBytes + part.readableBytes <= limit else {
                state = .closed
                return .fail(UpstreamConnectionError.answerTooLarge(limit: limit))
            }
            // Out of `state` while it grows, so the buffer is not copied on write.
            state = .closed
            var part = part
            body.writeBuffer(&part)
            state = .receivingBody(head: head, body: body, limit: limit)
            return .none
        }

        mutating func receivedEnd() -> Action {
            switch state {
            case .skippingInterim(let limit):
                state = .awaitingHead(limit: limit)
                return .none
            case .receivingBody(let head, let body, _):
                let reusable = head.isKeepAlive && head.status.code != 101
                state = reusable ? .idle : .closed
                hasAnswered = true
                return .succeed(head, body, reusable: reusable)
            case .idle, .awaitingHead, .closed:
                return .none
            }
        }

        /// An error on the connection (TLS, an answer that is not HTTP, a reset).
        mutating func failed(_ error: any Error) -> Action {
            switch state {
            case .awaitingHead where hasAnswered && Self.isReset(error):
                state = .closed
                return .fail(UpstreamConnectionError.closedWhenReused)
            case .awaitingHead, .skippingInterim, .receivingBody:
                state = .closed
                return .fail(error)
            case .idle:
                state = .closed
                return .close
            case .closed:
                return .none
            }
        }

        /// The request's deadline passed before its answer was complete: it fails, and the
        /// connection, in an unknown state, closes.
        mutating func deadlinePassed() -> Action {
            switch state {
            case .awaitingHead, .skippingInterim, .receivingBody:
                state = .closed
                return .fail(UpstreamConnectionError.deadlineExceeded)
            case .idle, .closed:
                return .none
            }
        }

        /// The connection closed.
        mutating func closed() -> Action {
            let previous = state
            state = .closed
            switch previous {
            case .awaitingHead where hasAnswered: return .fail(UpstreamConnectionError.closedWhenReused)
            case .awaitingHead, .skippingInterim: return .fail(UpstreamConnectionError.closedBeforeAnswering)
            case .receivingBody: return .fail(UpstreamConnectionError.closedMidAnswer)
            case .idle, .closed: return .none
            }
        }

        /// A reset or a broken pipe: how a request written into a connection the upstream has
        /// just closed usually fails, instead of an orderly close.
        static func isReset(_ error: any Error) -> Bool {
            guard let error = error as? IOError else { return false }
            return error.errnoCode == ECONNRESET || error.errnoCode == EPIPE
        }
    }
}
