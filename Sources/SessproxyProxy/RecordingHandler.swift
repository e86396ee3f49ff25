import Foundation
import Logging
import NIOCore
import SessproxyCore

/// Record mode: forward to the upstream, redact, commit, then answer. The un-redacted bytes
/// live only in this function's locals; what reaches the recorder is already redacted, and the
/// app's answer is released only after the commit, so an answered exchange is never lost — or,
/// when the cassette stays locked, marked `Sessproxy-Recording: pending` while the recorder
/// holds it until the lock goes.
public struct RecordingHandler: ExchangeHandler {
    public let mode = "record"
    let upstream: UpstreamClient
    let recorder: any ExchangeRecorder
    let redactor: Redactor
    let metrics: ProxyMetrics
    let bodyLimit: Int
    let logger: Logger
    /// Told about every committed exchange (the inspector's live feed).
    let observer: (any TrafficObserver)?

    public init(
        upstream: UpstreamClient, recorder: any ExchangeRecorder, redactor: Redactor, metrics: ProxyMetrics, bodyLimit: Int, logger: Logger,
        observer: (any TrafficObserver)? = nil
    ) {
        self.upstream = upstream
        self.recorder = recorder
        self.redactor = redactor
        self.metrics = metrics
        self.bodyLimit = bodyLimit
        self.logger = logger
        self.observer = observer
    }

    public func handle(_ request: ProxyRequest) async -> ProxyResponse {
        let route = KlarnaRouteClassifier.classify(method: request.method, target: request.target)
        // The request goes out first; its redaction and replay key are computed while the
        // upstream answers, so they add nothing to the app's wait at low load.
        let call = request.bodyTooLarge
            ? nil
            : upstream.start(method: request.method, target: request.target, headers: request.headers, body: request.body, bodyLimit: bodyLimit)
        // The request is already written and flushed (on a kept-alive connection, within `start`);
        // yielding once still lets the loop serve what else is ready before this task's long
        // redaction step: without it, record's CPU per request at c=32 rose from 307–344 to
        // 358–422 µs in alternating runs.
        if call != nil { await Task.yield() }
        var exchange = RecordedExchange(
            startedAt: request.receivedAtDate, durationMicros: 0, method: request.method, target: request.target,
            operation: route.operation, sessionID: route.sessionID, upstream: upstream.endpointText,
            requestHeaders: request.headers, requestBody: Array(request.body.readableBytesView),
            status: 0, responseHeaders: [], responseBody: [])
        var notes: [String] = []
        let requestJSON = redactor.redactRequest(of: &exchange, notes: &notes)
        // Computed here, spreading the work over request tasks instead of the one writer thread.
        exchange.precomputedMatchKey = ReplayKeyPolicy.precomputedKey(for: exchange, requestJSON: requestJSON, recordedWith: redactor.rules)

        // The answer as received: the app gets it untouched, the cassette its redacted copy.
        var response: ProxyResponse
        if let call {
            do {
                let answer = try await call.answer()
                metrics.upstream(duration: answer.duration)
                let headers = answer.headersForClient
                response = ProxyResponse(
                    status: answer.status, reason: answer.reason, headers: headers, body: answer.body, operation: route.operation)
                let encoding = headers.value(of: "Content-Encoding")
                exchange.recordUpstreamAnswer(
                    status: answer.status, headers: headers,
                    decodedBody: BodyDecoding.decode(answer.body, encoding: encoding, limit: bodyLimit) ?? Array(answer.body.readableBytesView),
                    encoding: encoding)
            } catch {
                let body = error.errorBody
                response = .klarnaError(status: error.status, body, operation: route.operation)
                exchange.recordOwnAnswer(status: error.status, headers: response.headers, error: body)
                logger.warning("upstream failure", metadata: ["target": "\(request.target)", "error": "\(error.message)"])
            }
        } else {
            let error = ProxyResponse.bodyTooLargeError(limit: bodyLimit)
            response = .klarnaError(status: 413, error, operation: route.operation)
            exchange.recordOwnAnswer(status: 413, headers: response.headers, error: error)
        }
        exchange.durationMicros = (ContinuousClock.now - request.receivedAt).microseconds
        redactor.redactResponse(of: &exchange, notes: &notes)
        redactor.addNotes(notes, to: &exchange)

        switch await recorder.record(exchange) {
        case .committed(let id):
            metrics.exchangeRecorded(redactionCount: exchange.redactions.count)
            response.headers.append(HeaderField(name: "Sessproxy-Exchange-Id", value: String(id)))
            if let observer {
                var stored = exchange
                stored.id = id
                observer.recorded(stored)
            }
        case .pending:
            metrics.exchangeRecorded(redactionCount: exchange.redactions.count)
            logger.warning("cassette locked: answered before the exchange was committed", metadata: ["target": "\(request.target)"])
            response.headers.append(HeaderField(name: "Sessproxy-Recording", value: "pending"))
        case .failed(let reason):
            logger.error("exchange answered but NOT recorded", metadata: ["target": "\(request.target)", "error": "\(reason)"])
            response.headers.append(HeaderField(name: "Sessproxy-Recording", value: "failed"))
        }
        return response
    }

    public func healthMembers() -> [JSONMember] {
        let backlog = recorder.backlog
        return [
            JSONMember(key: "upstream", value: .string(upstream.endpointText)),
            JSONMember(key: "exchanges_recorded", value: .number(String(backlog.recorded))),
            JSONMember(key: "recording_pending", value: .number(String(backlog.pending))),
            JSONMember(key: "recording_failures", value: .number(String(backlog.failed))),
            JSONMember(key: "upstream_requests", value: .number(String(upstream.forwardedCount))),
        ]
    }

    public func metricsExposition() -> String {
        let backlog = recorder.backlog
        return """
            # HELP sessproxy_recording_pending Exchanges answered before their commit, held until the cassette is writable.
            # TYPE sessproxy_recording_pending gauge
            sessproxy_recording_pending \(backlog.pending)
            # HELP sessproxy_recording_failures_total Exchanges answered but not recorded.
            # TYPE sessproxy_recording_failures_total counter
            sessproxy_recording_failures_total \(backlog.failed)

            """
    }
}
