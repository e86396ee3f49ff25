import Foundation
import SessproxyCore

/// Builds Klarna-shaped exchanges for the diff tests: bodies, headers and noise (tokens,
/// correlation ids, dates) the way a real cassette holds them.
enum Fixture {
    static let sessionsPath = "/payments/v1/sessions"
    static let start = Date(timeIntervalSince1970: 1_714_557_600)

    // MARK: Bodies

    /// An order line whose numbers add up (tax 25 % included).
    static func line(_ reference: String, quantity: Int64 = 1, unitPrice: Int64 = 10000, name: String? = nil) -> JSONValue {
        let total = quantity * unitPrice
        return [
            "type": "physical",
            "reference": .string(reference),
            "name": .string(name ?? "Item \(reference)"),
            "quantity": .number(String(quantity)),
            "unit_price": .number(String(unitPrice)),
            "tax_rate": 2500,
            "total_amount": .number(String(total)),
            "total_discount_amount": 0,
            "total_tax_amount": .number(String(total - total * 10000 / 12500)),
        ]
    }

    /// A create/update body whose order totals match its lines.
    static func order(_ lines: [JSONValue], merchantReference: String = "order-1001") -> JSONValue {
        let amount = lines.compactMap { $0["total_amount"]?.int64Value }.reduce(0, +)
        let tax = lines.compactMap { $0["total_tax_amount"]?.int64Value }.reduce(0, +)
        return [
            "purchase_country": "SE",
            "purchase_currency": "SEK",
            "locale": "sv-SE",
            "order_amount": .number(String(amount)),
            "order_tax_amount": .number(String(tax)),
            "order_lines": .array(lines),
            "merchant_reference1": .string(merchantReference),
        ]
    }

    static func createResponse(session: String, clientToken: String) -> JSONValue {
        [
            "session_id": .string(session),
            "client_token": .string(clientToken),
            "payment_method_categories": [["identifier": "pay_later", "name": "Pay later."]],
        ]
    }

    static func readResponse(session: String, order: JSONValue, status: String = "incomplete", expiresAt: String, createdAt: String) -> JSONValue {
        order
            .setting("status", to: .string(status))
            .setting("expires_at", to: .string(expiresAt))
            .setting("created_at", to: .string(createdAt))
            .setting("merchant_urls", to: ["confirmation": .string("https://shop.example/confirm?sid=\(session)")])
    }

    static func errorBody(code: String, messages: [String], correlationID: String) -> JSONValue {
        KlarnaErrorBody(errorCode: code, errorMessages: messages, correlationID: correlationID).json
    }

    // MARK: Exchanges

    static func responseHeaders(correlationID: String, contentType: String? = "application/json;charset=utf-8", date: String) -> [HeaderField] {
        var headers = [
            HeaderField(name: "Date", value: date),
            HeaderField(name: "Klarna-Correlation-Id", value: correlationID),
        ]
        if let contentType { headers.append(HeaderField(name: "Content-Type", value: contentType)) }
        return headers
    }

    static let requestHeaders = [
        HeaderField(name: "Authorization", value: "redacted:0a1b2c3d4e5f6a7b"),
        HeaderField(name: "Content-Type", value: "application/json"),
        HeaderField(name: "User-Agent", value: "shop/1.0"),
    ]

    static func exchange(
        id: Int64, method: String, target: String, operation: KlarnaOperation, session: String?,
        request: JSONValue?, status: Int, response: JSONValue?, correlationID: String, date: String = "Wed, 01 May 2024 10:00:00 GMT",
        responseHeaders: [HeaderField]? = nil
    ) -> RecordedExchange {
        RecordedExchange(
            id: id, startedAt: start.addingTimeInterval(Double(id)), durationMicros: 1000, method: method, target: target,
            operation: operation, sessionID: session, upstream: "https://api.playground.klarna.com",
            requestHeaders: request == nil ? requestHeaders.filter { $0.name != "Content-Type" } : requestHeaders,
            requestBody: request.map { JSONSerializer.bytes($0) } ?? [],
            status: status,
            responseHeaders: responseHeaders ?? Self.responseHeaders(
                correlationID: correlationID, contentType: response == nil ? nil : "application/json;charset=utf-8", date: date),
            responseBody: response.map { JSONSerializer.bytes($0) } ?? [])
    }

    static func create(id: Int64, session: String?, order: JSONValue, clientToken: String = "token-\(UUID())", status: Int = 200,
                       response: JSONValue? = nil, correlationID: String = "corr-\(UUID())") -> RecordedExchange {
        exchange(
            id: id, method: "POST", target: sessionsPath, operation: .create, session: session, request: order, status: status,
            response: response ?? session.map { createResponse(session: $0, clientToken: clientToken) }, correlationID: correlationID)
    }

    static func update(id: Int64, session: String, order: JSONValue, status: Int = 204, response: JSONValue? = nil,
                       correlationID: String = "corr-\(UUID())") -> RecordedExchange {
        exchange(
            id: id, method: "POST", target: "\(sessionsPath)/\(session)", operation: .update, session: session, request: order,
            status: status, response: response, correlationID: correlationID)
    }

    static func read(id: Int64, session: String, response: JSONValue, status: Int = 200, correlationID: String = "corr-\(UUID())") -> RecordedExchange {
        exchange(
            id: id, method: "GET", target: "\(sessionsPath)/\(session)", operation: .read, session: session, request: nil,
            status: status, response: response, correlationID: correlationID)
    }

    static func other(id: Int64, method: String = "GET", path: String, status: Int = 200, response: JSONValue? = nil,
                      correlationID: String = "corr-\(UUID())") -> RecordedExchange {
        exchange(
            id: id, method: method, target: path, operation: .other, session: nil, request: nil, status: status,
            response: response, correlationID: correlationID)
    }

    /// A plain session flow (create, update, read) with fresh noise each time it is called.
    static func flow(firstID: Int64, session: String, order: JSONValue, reads: Int = 1) -> [RecordedExchange] {
        var exchanges = [
            create(id: firstID, session: session, order: order),
            update(id: firstID + 1, session: session, order: order),
        ]
        for offset in 0..<reads {
            exchanges.append(read(
                id: firstID + 2 + Int64(offset), session: session,
                response: readResponse(
                    session: session, order: order, expiresAt: "2024-05-03T10:00:\(10 + offset)Z", createdAt: "2024-05-01T10:00:00Z")))
        }
        return exchanges
    }
}
