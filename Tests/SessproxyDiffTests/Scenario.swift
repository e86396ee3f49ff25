import SessproxyCore
import SessproxyDiff

/// The regression the `diff` command exists for, with fixed noise so that rendered output is
/// stable: yesterday's recording (A) passed, today's (B) gets `400 BAD_VALUE` on the update.
enum Scenario {
    static let aSession1 = "3f9c2a1e-7b4d-4c8e-9a61-2d5e8f0b7c13"
    static let aSession2 = "a1b2c3d4-0000-4000-8000-00000000aaa2"
    static let bSession1 = "8d1e5f20-1c2b-4a3d-9e8f-7a6b5c4d3e21"
    static let bSession2 = "b1b2c3d4-0000-4000-8000-00000000bbb2"
    static let bSession3 = "c1c2c3d4-0000-4000-8000-00000000ccc3"

    static let clientTokens = ["eyJhbGciOiJSUzI1NiJ9.A1", "eyJhbGciOiJSUzI1NiJ9.A2", "eyJhbGciOiJSUzI1NiJ9.B1", "eyJhbGciOiJSUzI1NiJ9.B2", "eyJhbGciOiJSUzI1NiJ9.B3"]
    static let correlationIDs = [
        "0d6c4b2e-9a8f-4e71-b3c5-7f1e2a9d4c60", "11111111-9a8f-4e71-b3c5-7f1e2a9d4c61", "22222222-9a8f-4e71-b3c5-7f1e2a9d4c62",
        "33333333-9a8f-4e71-b3c5-7f1e2a9d4c63", "44444444-9a8f-4e71-b3c5-7f1e2a9d4c64", "55555555-9a8f-4e71-b3c5-7f1e2a9d4c65",
        "66666666-9a8f-4e71-b3c5-7f1e2a9d4c66", "77777777-9a8f-4e71-b3c5-7f1e2a9d4c67", "88888888-9a8f-4e71-b3c5-7f1e2a9d4c68",
        "99999999-9a8f-4e71-b3c5-7f1e2a9d4c69", "aaaaaaaa-9a8f-4e71-b3c5-7f1e2a9d4c6a", "bbbbbbbb-9a8f-4e71-b3c5-7f1e2a9d4c6b",
        "cccccccc-9a8f-4e71-b3c5-7f1e2a9d4c6c", "dddddddd-9a8f-4e71-b3c5-7f1e2a9d4c6d",
    ]
    static let expiryTimes = ["2024-05-03T10:00:00Z", "2024-05-03T11:00:00Z", "2024-05-04T09:30:00.123Z", "2024-05-04T09:45:00+02:00"]
    static let creationTimes = ["2024-05-01T10:00:00Z", "2024-05-02T09:00:00Z"]

    /// Every noise value in either recording: none of these may appear in a rendered report.
    static var secretNoise: [String] { clientTokens + correlationIDs + expiryTimes + creationTimes }
    static var sessionIDs: [String] { [aSession1, aSession2, bSession1, bSession2, bSession3] }

    static let cart = Fixture.order([Fixture.line("CAP-7", quantity: 1, unitPrice: 1499), Fixture.line("SHIP-STD", unitPrice: 4900)])
    /// Today's cart: quantity 2 but the total still says one cap.
    static let brokenCart: JSONValue = {
        var lines = cart["order_lines"]!.arrayValue!
        lines[0] = lines[0].setting("quantity", to: 2)
        return cart.setting("order_lines", to: .array(lines))
    }()

    static var a: [RecordedExchange] {
        [
            Fixture.create(id: 1, session: aSession1, order: cart, clientToken: clientTokens[0], correlationID: correlationIDs[0]),
            Fixture.update(id: 2, session: aSession1, order: cart, correlationID: correlationIDs[1]),
            Fixture.read(
                id: 3, session: aSession1,
                response: Fixture.readResponse(session: aSession1, order: cart, expiresAt: expiryTimes[0], createdAt: creationTimes[0]),
                correlationID: correlationIDs[2]),
            Fixture.create(id: 4, session: aSession2, order: cart, clientToken: clientTokens[1], correlationID: correlationIDs[3]),
            Fixture.update(id: 5, session: aSession2, order: cart, correlationID: correlationIDs[4]),
            Fixture.read(
                id: 6, session: aSession2,
                response: Fixture.readResponse(session: aSession2, order: cart, expiresAt: expiryTimes[1], createdAt: creationTimes[0]),
                correlationID: correlationIDs[5]),
            Fixture.other(id: 7, path: "/payments/v1/authorizations/redacted:77aa88bb99cc00dd/order", correlationID: correlationIDs[6]),
        ]
    }

    static var b: [RecordedExchange] {
        [
            Fixture.create(id: 11, session: bSession1, order: cart, clientToken: clientTokens[2], correlationID: correlationIDs[7]),
            Fixture.update(
                id: 12, session: bSession1, order: brokenCart, status: 400,
                response: Fixture.errorBody(code: "BAD_VALUE", messages: ["Bad value: order_lines[0].total_amount"], correlationID: correlationIDs[8]),
                correlationID: correlationIDs[8]),
            Fixture.read(
                id: 13, session: bSession1,
                response: Fixture.readResponse(session: bSession1, order: cart, expiresAt: expiryTimes[2], createdAt: creationTimes[1]),
                correlationID: correlationIDs[9]),
            Fixture.read(
                id: 14, session: bSession1,
                response: Fixture.readResponse(session: bSession1, order: cart, expiresAt: expiryTimes[2], createdAt: creationTimes[1]),
                correlationID: correlationIDs[9]),
            Fixture.create(id: 15, session: bSession2, order: cart, clientToken: clientTokens[3], correlationID: correlationIDs[10]),
            Fixture.update(id: 16, session: bSession2, order: cart, correlationID: correlationIDs[11]),
            Fixture.create(
                id: 17, session: bSession3, order: Fixture.order([Fixture.line("GIFT-1", unitPrice: 2500)]), clientToken: clientTokens[4],
                correlationID: correlationIDs[12]),
            Fixture.read(
                id: 18, session: bSession3,
                response: Fixture.readResponse(
                    session: bSession3, order: Fixture.order([Fixture.line("GIFT-1", unitPrice: 2500)]), expiresAt: expiryTimes[3],
                    createdAt: creationTimes[1]),
                correlationID: correlationIDs[13]),
            Fixture.other(id: 19, path: "/payments/v1/authorizations/redacted:1234567890abcdef/order", correlationID: correlationIDs[13]),
        ]
    }

    static var report: DiffReport {
        RecordingDiff.compare(a, b, labels: ("yesterday.sqlite", "today.sqlite"))
    }
}
