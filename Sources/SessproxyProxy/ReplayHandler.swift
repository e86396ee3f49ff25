import Foundation
import Logging
import NIOCore
import NIOPosix
import SessproxyCore
import Synchronization

/// Replay mode: answers from the cassette through Core's `ReplayEngine`, held under a lock.
/// The request's match key is computed before taking the lock; under it the engine only
/// decides; what it asks to read (a hit's recorded answer, a miss's candidates) is read after
/// the lock is released, on NIO's blocking-I/O thread pool — never on an event loop — made
/// ready (stand-ins rendered) outside the lock too, and fed back under it.
/// A miss is a Klarna-shaped 404 with `error_code` `SESSPROXY_NO_MATCH`, a `Sessproxy-Miss`
/// header and the nearest recorded requests, like WireMock's near-miss report; with
/// `--on-miss forward` the miss goes to the upstream instead.
public final class ReplayHandler: ExchangeHandler {
    public let mode = "replay"
    private let engine: Mutex<ReplayEngine>
    private let source: any ReplayExchangeSource
    /// A hit's recorded answer, read on the blocking pool with the other hits of its loop's turn.
    private let answers: AnswerReadBatcher
    private let matcher: ReplayMatcher
    private let cassetteName: String
    private let forwardTo: UpstreamClient?
    private let metrics: ProxyMetrics
    private let bodyLimit: Int
    private let logger: Logger
    /// Told about every request served (the inspector's list and live feed).
    private let observer: (any TrafficObserver)?
    private let servedCount = Atomic<Int64>(0)

    /// A miss status that an app will not mistake for "session expired, create a new one"
    /// would be nicer, but 404 is what stub servers answer for unmatched requests.
    public static let missStatus = 404

    public init(
        engine: ReplayEngine, source: any ReplayExchangeSource, cassetteName: String, forwardTo: UpstreamClient?, metrics: ProxyMetrics,
        bodyLimit: Int, logger: Logger, observer: (any TrafficObserver)? = nil
    ) {
        self.matcher = engine.matcher
        self.engine = Mutex(engine)
        self.source = source
        self.answers = AnswerReadBatcher(source: source)
        self.cassetteName = cassetteName
        self.forwardTo = forwardTo
        self.metrics = metrics
        self.bodyLimit = bodyLimit
        self.logger = logger
        self.observer = observer
    }

    public func handle(_ request: ProxyRequest) async -> ProxyResponse {
        let (response, outcome) = await answer(request)
        if let observer {
            let number = servedCount.add(1, ordering: .relaxed).newValue
            // Shown to the inspector as matching saw it: the matcher's placeholder redaction for
            // headers (and a target never matched), target and body as normalised for the key.
            let displayRedactor = matcher.redactor
            var notes: [String] = []
            let headers = displayRedactor.redactHeaders(request.headers, side: "request", notes: &notes)
            let target = outcome.shownTarget ?? displayRedactor.redactTarget(request.target, notes: &notes)
            var body = Array(response.body.readableBytesView)
            var responseHeaders = response.headers
            if outcome.forwarded {
                // A forwarded miss carries the upstream's real answer: shown redacted like the request.
                body = displayRedactor.redactResponseBody(
                    body, method: request.method, path: KlarnaRouteClassifier.pathOnly(target), status: response.status, notes: &notes)
                responseHeaders = displayRedactor.redactHeaders(responseHeaders, side: "response", notes: &notes)
            }
            let served = RecordedExchange(
                id: number, startedAt: request.receivedAtDate, durationMicros: (ContinuousClock.now - request.receivedAt).microseconds,
                method: request.method, target: target, operation: response.operation, sessionID: outcome.sessionID,
                upstream: "replay", requestHeaders: headers, requestBody: outcome.shownBody, status: response.status,
                responseHeaders: responseHeaders, responseBody: body)
            observer.served(ServedRequest(exchange: served, recordedExchangeID: outcome.recordedExchangeID, miss: outcome.miss))
        }
        return response
    }

    /// What the inspector is told about a served request besides the answer.
    private struct ServedOutcome {
        var sessionID: String?
        var recordedExchangeID: Int64?
        var miss: JSONValue?
        /// The request as matching saw it (nil target and empty body for one never matched).
        var shownTarget: String?
        var shownBody: [UInt8] = []
        /// The answer came from the upstream (`--on-miss forward`).
        var forwarded = false

        init(sessionID: String?, recordedExchangeID: Int64? = nil, miss: JSONValue? = nil, prepared: ReplayEngine.PreparedRequest? = nil) {
            self.sessionID = sessionID
            self.recordedExchangeID = recordedExchangeID
            self.miss = miss
            self.shownTarget = prepared?.normalisedTarget
            self.shownBody = prepared?.normalisedBody ?? []
        }
    }

    private func answer(_ request: ProxyRequest) async -> (ProxyResponse, ServedOutcome) {
        if request.bodyTooLarge {
            let route = KlarnaRouteClassifier.classify(method: request.method, target: request.target)
            let error = ProxyResponse.bodyTooLargeError(limit: bodyLimit)
            return (.klarnaError(status: 413, error, operation: route.operation), ServedOutcome(sessionID: route.sessionID, miss: error.json))
        }
        let live = ReplayRequest(method: request.method, target: request.target, headers: request.headers, body: Array(request.body.readableBytesView))
        let prepared = ReplayEngine.prepare(live, matcher: matcher)
        let operation = prepared.operation
        // The lock covers deciding only: reading the chosen exchange from the cassette happens
        // outside it, so event loops do not queue behind each other's SQLite reads.
        let step = engine.withLock { $0.decide(prepared) }
        let hit: ReplayAnswer
        switch step {
        case .answer(let answer):
            hit = answer
        case .read(let read):
            let response = await answers.response(id: read.sourceID)
            if response == nil {
                // Answered 500 SESSPROXY_CASSETTE_UNREADABLE: the file changed under replay, or a
                // fleet store went away. Said here, as nothing else would say it.
                logger.warning("recorded exchange \(read.exchangeID) could not be read; answered 500 SESSPROXY_CASSETTE_UNREADABLE", metadata: ["target": "\(request.target)"])
            }
            let ready = read.answer(from: response)
            hit = engine.withLock { $0.remember(ready, for: read) }
        case .explainMiss(let miss):
            let source = self.source
            let loaded = (try? await NIOThreadPool.singleton.runIfActive { source.exchanges(ids: miss.sourceIDs) }) ?? [:]
            let report = engine.withLock { $0.explain(miss, with: loaded) }
            metrics.replay(hit: false)
            logger.warning("\(report.logLine)")
            let outcome = ServedOutcome(sessionID: prepared.sessionID, miss: report.json, prepared: prepared)
            if let upstream = forwardTo {
                do {
                    let answer = try await upstream.send(
                        method: request.method, target: request.target, headers: request.headers, body: request.body, bodyLimit: bodyLimit)
                    engine.withLock { $0.handedToUpstream(prepared) }
                    var headers = answer.headersForClient
                    headers.append(HeaderField(name: "Sessproxy-Forwarded", value: "miss"))
                    var forwarded = outcome
                    forwarded.forwarded = true
                    return (
                        ProxyResponse(status: answer.status, reason: answer.reason, headers: headers, body: answer.body, operation: operation),
                        forwarded
                    )
                } catch {
                    return (.klarnaError(status: error.status, error.errorBody, operation: operation), outcome)
                }
            }
            return (
                .klarnaError(
                    status: Self.missStatus, report.errorBody(cassette: cassetteName), operation: operation,
                    extraHeaders: [HeaderField(name: ReplayMissReport.headerName, value: report.headerValue)]), outcome
            )
        }
        metrics.replay(hit: true)
        return (
            ProxyResponse(status: hit.status, headers: hit.headers, body: ByteBuffer(bytes: hit.body), operation: operation),
            ServedOutcome(sessionID: hit.sessionID ?? prepared.sessionID, recordedExchangeID: hit.exchangeID, prepared: prepared)
        )
    }

    /// What `--strict` judges at shutdown.
    public struct Outcome: Sendable {
        public var hits: Int
        public var misses: [ReplayMissReport]
        public var unusedExchangeIDs: [Int64]
        public var exchangeCount: Int

        public var isClean: Bool { misses.isEmpty && unusedExchangeIDs.isEmpty }

        /// Multi-line summary for stderr.
        public var summary: String {
            var lines = ["replay: \(hits) hit(s), \(misses.count) miss(es), \(unusedExchangeIDs.count) of \(exchangeCount) recorded exchange(s) never used"]
            for miss in misses.prefix(20) { lines.append("  miss: \(miss.logLine)") }
            if misses.count > 20 { lines.append("  … and \(misses.count - 20) more misses") }
            if !unusedExchangeIDs.isEmpty {
                let shown = unusedExchangeIDs.prefix(30).map(String.init).joined(separator: ", ")
                lines.append("  unused exchange ids: \(shown)\(unusedExchangeIDs.count > 30 ? ", …" : "")")
            }
            return lines.joined(separator: "\n")
        }
    }

    public var outcome: Outcome {
        engine.withLock { engine in
            Outcome(hits: engine.hitCount, misses: engine.misses, unusedExchangeIDs: engine.unusedExchangeIDs, exchangeCount: engine.exchangeCount)
        }
    }

    public func healthMembers() -> [JSONMember] {
        let outcome = self.outcome
        return [
            JSONMember(key: "exchanges", value: .number(String(outcome.exchangeCount))),
            JSONMember(key: "hits", value: .number(String(outcome.hits))),
            JSONMember(key: "misses", value: .number(String(outcome.misses.count))),
            JSONMember(key: "unused", value: .number(String(outcome.unusedExchangeIDs.count))),
            JSONMember(key: "on_miss", value: .string(forwardTo == nil ? "error" : "forward")),
            JSONMember(key: "upstream_connections", value: .number(String(forwardTo?.forwardedCount ?? 0))),
        ]
    }

    public func report(named name: String) -> JSONValue? {
        guard name == "misses" else { return nil }
        return .array(outcome.misses.map(\.json))
    }
}
