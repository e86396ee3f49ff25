import SessproxyCore

/// The JSON the inspector's API answers, built from Core's documents: a list row is
/// `list --format json`'s row (plus `replay` in a replay run), a detail is `show --format json`'s
/// document plus the Klarna findings and a cURL command.
enum InspectorDocuments {
    static func summary(of request: ServedRequest) -> JSONValue {
        adding(replayMembers(of: request), to: ExchangeDocument.summary(request.exchange))
    }

    static func detail(of exchange: RecordedExchange, extra: [JSONMember]) -> JSONValue {
        adding(
            [
                JSONMember(key: "findings", value: ExchangeFindings.json(for: exchange)),
                JSONMember(key: "curl", value: .string(CurlCommand.render(exchange))),
            ] + extra, to: ExchangeDocument.full(exchange))
    }

    static func detail(of request: ServedRequest) -> JSONValue {
        detail(
            of: request.exchange,
            extra: replayMembers(of: request) + [JSONMember(key: "miss", value: request.miss ?? .null)])
    }

    /// How replay answered a request: `hit` or `miss`, and the recorded exchange it served.
    private static func replayMembers(of request: ServedRequest) -> [JSONMember] {
        [
            JSONMember(key: "replay", value: .string(request.isHit ? "hit" : "miss")),
            JSONMember(key: "recorded_exchange_id", value: request.recordedExchangeID.map { .number(String($0)) } ?? .null),
        ]
    }

    /// A row of the `sessions` list.
    static func sessionRow(sessionID: String, firstExchangeID: Int64, calls: Int) -> JSONValue {
        .object([
            JSONMember(key: "session_id", value: .string(sessionID)),
            JSONMember(key: "first_exchange_id", value: .number(String(firstExchangeID))),
            JSONMember(key: "calls", value: .number(String(calls))),
        ])
    }

    static func timeline(_ timeline: SessionTimeline) -> JSONValue {
        timeline.json
    }

    static func adding(_ members: [JSONMember], to document: JSONValue) -> JSONValue {
        guard case .object(let existing) = document else { return document }
        return .object(existing + members)
    }
}
