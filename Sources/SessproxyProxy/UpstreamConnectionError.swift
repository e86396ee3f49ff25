/// How a forwarded request failed on its upstream connection, where the failure is the
/// connection's own story rather than an error NIO or TLS raised (`UpstreamFailure.classify`
/// turns each into the app's Klarna-shaped answer).
enum UpstreamConnectionError: Error, Equatable {
    /// The upstream closed the connection before any answer arrived.
    case closedBeforeAnswering
    /// A kept-alive connection that had already carried an answer closed (or was reset) before
    /// any byte of the next one: most likely the upstream ended it for being idle just as the
    /// request went out. The pool sends such a request once more, on a new connection, when
    /// `UpstreamRetryPolicy` says it is safe to repeat; otherwise it fails as
    /// `closedBeforeAnswering` does.
    case closedWhenReused
    /// The upstream closed the connection after the answer's head, before its end.
    case closedMidAnswer
    /// The answer's body is larger than the body limit (`limit` bytes).
    case answerTooLarge(limit: Int)
    /// No complete answer within the configured timeout (connecting included).
    case deadlineExceeded
}
