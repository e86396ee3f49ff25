import Foundation

/// One request a replay run served, hit or miss, as the inspector lists it: numbered in the
/// order served, with what was answered and where it came from.
public struct ServedRequest: Sendable {
    /// 1 for the first request this run served.
    public var number: Int64
    public var startedAt: Date
    public var durationMicros: Int64
    public var method: String
    public var target: String
    public var operation: KlarnaOperation
    public var sessionID: String?
    public var requestHeaders: [HeaderField]
    public var requestBody: [UInt8]
    public var status: Int
    public var responseHeaders: [HeaderField]
    public var responseBody: [UInt8]
    /// The recorded exchange a hit was answered from; nil for a miss.
    public var recordedExchangeID: Int64?
    /// The miss report (nearest recordings, field-level reasons), as `/__sessproxy/misses` gives it.
    public var miss: JSONValue?

    public init(
        number: Int64, startedAt: Date, durationMicros: Int64, method: String, target: String, operation: KlarnaOperation,
        sessionID: String?, requestHeaders: [HeaderField], requestBody: [UInt8], status: Int, responseHeaders: [HeaderField],
        responseBody: [UInt8], recordedExchangeID: Int64?, miss: JSONValue?
    ) {
        self.number = number
        self.startedAt = startedAt
        self.durationMicros = durationMicros
        self.method = method
        self.target = target
        self.operation = operation
        self.sessionID = sessionID
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.recordedExchangeID = recordedExchangeID
        self.miss = miss
    }

    public var isHit: Bool { miss == nil }

    /// The served request as an exchange row (id = its number), for filters and documents.
    public var asExchange: RecordedExchange {
        RecordedExchange(
            id: number, startedAt: startedAt, durationMicros: durationMicros, method: method, target: target, operation: operation,
            sessionID: sessionID, upstream: "replay", requestHeaders: requestHeaders, requestBody: requestBody, status: status,
            responseHeaders: responseHeaders, responseBody: responseBody)
    }
}
