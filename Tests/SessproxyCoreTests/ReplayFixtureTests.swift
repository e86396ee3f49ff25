import Foundation
import Testing

@testable import SessproxyCore

/// Builders for recorded exchanges and live requests shared by the replay tests.
enum ReplayFixture {
    static let sessions = "/payments/v1/sessions"
    static let jsonHeaders = [HeaderField(name: "Content-Type", value: "application/json")]
    static let emailPseudonym = "redacted:3fa9c2d1e0b4a789"
    static let tokenPseudonym = "redacted:0123456789abcdef"

    static func exchange(
        _ id: Int64, _ method: String, _ target: String, body: String = "", status: Int = 200, response: String = "",
        responseHeaders: [HeaderField] = jsonHeaders, session: String? = nil
    ) -> RecordedExchange {
        let route = KlarnaRouteClassifier.classify(method: method, target: target)
        return RecordedExchange(
            id: id, startedAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(id)), durationMicros: 1000,
            method: method, target: target, operation: route.operation, sessionID: session ?? route.sessionID,
            upstream: "https://api.playground.klarna.com",
            requestHeaders: [HeaderField(name: "Authorization", value: "Basic redacted:aaaaaaaaaaaaaaaa")] + (body.isEmpty ? [] : jsonHeaders),
            requestBody: Array(body.utf8), status: status, responseHeaders: responseHeaders, responseBody: Array(response.utf8))
    }

    static func create(_ id: Int64, session: String, body: String = cart(quantity: 1)) -> RecordedExchange {
        exchange(
            id, "POST", sessions, body: body,
            response: #"{"session_id":"\#(session)","client_token":"\#(tokenPseudonym)","payment_method_categories":[]}"#,
            session: session)
    }

    static func read(_ id: Int64, session: String, quantity: Int, status: String = "incomplete") -> RecordedExchange {
        exchange(
            id, "GET", "\(sessions)/\(session)",
            response: #"{"status":"\#(status)","client_token":"\#(tokenPseudonym)","order_lines":[{"reference":"CAP-7","quantity":\#(quantity)}]}"#)
    }

    static func update(_ id: Int64, session: String, body: String, status: Int = 204, response: String = "") -> RecordedExchange {
        exchange(id, "POST", "\(sessions)/\(session)", body: body, status: status, response: response)
    }

    /// A session body with one order line `CAP-7`; the recorded form carries a pseudonym email.
    static func cart(quantity: Int, email: String = emailPseudonym, country: String = "SE") -> String {
        #"{"purchase_country":"\#(country)","purchase_currency":"SEK","order_amount":\#(quantity * 100),"billing_address":{"email":"\#(email)"},"order_lines":[{"reference":"CAP-7","name":"Cap","quantity":\#(quantity),"unit_price":100,"total_amount":\#(quantity * 100)}]}"#
    }

    static func request(_ method: String, _ target: String, body: String = "", headers: [HeaderField] = []) -> ReplayRequest {
        ReplayRequest(method: method, target: target, headers: headers, text: body)
    }

    static func createRequest(quantity: Int = 1) -> ReplayRequest {
        request("POST", sessions, body: cart(quantity: quantity, email: "jane@example.com"))
    }

    static func readRequest(_ session: String) -> ReplayRequest {
        request("GET", "\(sessions)/\(session)")
    }

    static func updateRequest(_ session: String, quantity: Int, country: String = "SE") -> ReplayRequest {
        request("POST", "\(sessions)/\(session)", body: cart(quantity: quantity, email: "jane@example.com", country: country))
    }

    /// Exchange id answered, or nil on a miss.
    static func answeredID(_ decision: ReplayDecision) -> Int64? {
        decision.answer?.exchangeID
    }

    static func base64URLDecode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

@Test func replayFixtureBuildsClassifiedExchanges() {
    let update = ReplayFixture.update(3, session: "abc", body: ReplayFixture.cart(quantity: 1))
    #expect(update.operation == .update)
    #expect(update.sessionID == "abc")
    #expect(ReplayFixture.create(1, session: "abc").sessionID == "abc")
}
