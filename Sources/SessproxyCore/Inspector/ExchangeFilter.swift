import Foundation

/// What the inspector's list shows: filters that compose (all given ones must hold). The same
/// value filters a cassette in SQL (`Cassette.summaries`), the served requests of a replay run,
/// and the live feed, so the page never filters anything itself.
public struct ExchangeFilter: Sendable, Hashable {
    public var operation: KlarnaOperation?
    public var status: StatusFilter?
    public var sessionID: String?
    /// Free text, case-insensitive, over path and both bodies.
    public var text: String?

    /// `2xx`-style classes or one exact status.
    public enum StatusFilter: Sendable, Hashable {
        case classOf(Int)
        case exactly(Int)

        public var range: ClosedRange<Int> {
            switch self {
            case .classOf(let hundreds): return (hundreds * 100)...(hundreds * 100 + 99)
            case .exactly(let status): return status...status
            }
        }
    }

    public init(operation: KlarnaOperation? = nil, status: StatusFilter? = nil, sessionID: String? = nil, text: String? = nil) {
        self.operation = operation
        self.status = status
        self.sessionID = sessionID
        self.text = text
    }

    /// From the API's query parameters `operation`, `status` (`4xx` or `400`), `session`, `q`;
    /// empty values are no filter.
    public init(query: [String: String]) throws(InvalidQuery) {
        func value(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let name = value("operation") {
            guard let operation = KlarnaOperation(rawValue: name) else {
                throw InvalidQuery(message: "operation must be one of create, read, update, other (got \(name))")
            }
            self.operation = operation
        }
        if let status = value("status") {
            let lowered = status.lowercased()
            if lowered.count == 3, lowered.hasSuffix("xx"), let digit = Int(lowered.prefix(1)), (1...5).contains(digit) {
                self.status = .classOf(digit)
            } else if let exact = Int(status), (100...599).contains(exact) {
                self.status = .exactly(exact)
            } else {
                throw InvalidQuery(message: "status must be a class like 4xx or a code like 400 (got \(status))")
            }
        }
        sessionID = value("session")
        text = value("q")
    }

    public var isEmpty: Bool { operation == nil && status == nil && sessionID == nil && text == nil }

    /// Whether a row passes; `texts` are what free text searches (path, bodies).
    public func matches(operation: KlarnaOperation, status: Int, sessionID: String?, texts: () -> [String]) -> Bool {
        if let wanted = self.operation, wanted != operation { return false }
        if let wanted = self.status, !wanted.range.contains(status) { return false }
        if let wanted = self.sessionID, wanted != sessionID { return false }
        if let text, !texts().contains(where: { $0.range(of: text, options: .caseInsensitive) != nil }) { return false }
        return true
    }

    public func matches(_ exchange: RecordedExchange) -> Bool {
        matches(operation: exchange.operation, status: exchange.status, sessionID: exchange.sessionID) {
            [exchange.target, String(decoding: exchange.requestBody, as: UTF8.self), String(decoding: exchange.responseBody, as: UTF8.self)]
        }
    }
}
