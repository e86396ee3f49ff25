import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SessproxyCore

/// A short, realistic merchant checkout against a Klarna base URL: create a session, read it,
/// update the cart, read it again, then send an update whose numbers don't add up. Used by the
/// demo and by tests to produce recordings worth replaying and diffing.
public struct MerchantFlow: Sendable {
    public struct Step: Sendable {
        public var name: String
        public var method: String
        public var path: String
        public var status: Int
        public var body: [UInt8]
    }

    /// Shoe quantity after the cart update (2 at creation).
    public var updatedQuantity: Int
    /// When true the cart update itself breaks the line-total rule (a regression).
    public var regressedUpdate: Bool
    public var credentials: String

    public init(updatedQuantity: Int = 3, regressedUpdate: Bool = false, credentials: String = "K123456_demo:demo-shared-secret") {
        self.updatedQuantity = updatedQuantity
        self.regressedUpdate = regressedUpdate
        self.credentials = credentials
    }

    public static let createBody = #"""
        {"intent":"buy","purchase_country":"GB","purchase_currency":"GBP","locale":"en-GB","order_amount":16697,"order_tax_amount":2783,
         "order_lines":[{"type":"physical","reference":"SKU-TR-4471-42","name":"Trail running shoe, size 42","quantity":2,"unit_price":8999,
           "tax_rate":2000,"total_amount":16198,"total_discount_amount":1800,"total_tax_amount":2700},
          {"type":"shipping_fee","reference":"SHIP-STD","name":"Standard delivery","quantity":1,"unit_price":499,"tax_rate":2000,
           "total_amount":499,"total_discount_amount":0,"total_tax_amount":83}],
         "billing_address":{"given_name":"Jane","family_name":"Doe","email":"jane.doe@example.com","phone":"+447700900123",
           "street_address":"10 Example Street","postal_code":"EC1A 1BB","city":"London","country":"GB"},
         "customer":{"type":"person"},"merchant_reference1":"WEB-100042",
         "attachment":{"content_type":"application/vnd.klarna.internal.emd-v2+json",
           "body":"{\"customer_account_info\":[{\"unique_account_identifier\":\"jane.doe@example.com\",\"account_registration_date\":\"2021-04-01T09:30:00Z\"}]}"}}
        """#

    /// The cart update body for `quantity` shoes.
    public func updateBody() -> String {
        let total = updatedQuantity * 8999 - 1800
        let tax = (total * 2000 + 6000) / 12000
        let lineTotal = regressedUpdate ? total - 500 : total
        return #"{"order_amount":\#(lineTotal + 499),"order_tax_amount":\#(tax + 83),"order_lines":[{"type":"physical","reference":"SKU-TR-4471-42","name":"Trail running shoe, size 42","quantity":\#(updatedQuantity),"unit_price":8999,"tax_rate":2000,"total_amount":\#(lineTotal),"total_discount_amount":1800,"total_tax_amount":\#(tax)},{"type":"shipping_fee","reference":"SHIP-STD","name":"Standard delivery","quantity":1,"unit_price":499,"tax_rate":2000,"total_amount":499,"total_discount_amount":0,"total_tax_amount":83}]}"#
    }

    public struct FlowError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs the flow against `baseURL` (`http://127.0.0.1:PORT`) and returns every step's answer.
    public func run(baseURL: String) async throws -> [Step] {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let steps = try await run(baseURL: baseURL, client: client)
            try await client.shutdown()
            return steps
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func run(baseURL: String, client: HTTPClient) async throws -> [Step] {
        var steps: [Step] = []
        func send(_ name: String, _ method: HTTPMethod, _ path: String, _ body: String?) async throws -> Step {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
            request.headers.add(name: "User-Agent", value: "Library/sessproxy-demo-shop_1.0 Language/Swift_6")
            if let body {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 10 * 1024 * 1024)
            let step = Step(name: name, method: method.rawValue, path: path, status: Int(response.status.code), body: Array(bytes.readableBytesView))
            steps.append(step)
            return step
        }
        let created = try await send("create session", .POST, "/payments/v1/sessions", Self.createBody)
        guard let session = (try? JSONParser.parse(created.body))?["session_id"]?.stringValue else {
            throw FlowError(description: "create answered \(created.status) without a session_id")
        }
        let path = "/payments/v1/sessions/\(session)"
        _ = try await send("read session", .GET, path, nil)
        _ = try await send("update cart (\(updatedQuantity) shoes)", .POST, path, updateBody())
        _ = try await send("read session", .GET, path, nil)
        _ = try await send("update with a wrong order_amount", .POST, path, #"{"order_amount":1}"#)
        return steps
    }
}
