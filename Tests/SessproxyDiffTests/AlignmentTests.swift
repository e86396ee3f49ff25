import SessproxyCore
import Testing
@testable import SessproxyDiff

@Suite struct AlignmentTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var a: [String]
        var b: [String]
        /// Expected alignments in reading order.
        var expected: [CallDiff.Alignment]
    }

    static let cases: [Case] = [
        Case(description: "identical", a: ["create", "update", "read"], b: ["create", "update", "read"], expected: [.same, .same, .same]),
        Case(description: "extra read in B", a: ["create", "update"], b: ["create", "update", "read"], expected: [.same, .same, .added]),
        Case(description: "read missing in B", a: ["create", "update", "read"], b: ["create", "update"], expected: [.same, .same, .missing]),
        Case(description: "inserted in the middle", a: ["create", "read"], b: ["create", "update", "read"], expected: [.same, .added, .same]),
        Case(description: "missing in the middle", a: ["create", "update", "read"], b: ["create", "read"], expected: [.same, .missing, .same]),
        Case(description: "swapped pair", a: ["create", "update", "read"], b: ["create", "read", "update"], expected: [.same, .same, .reordered]),
        Case(description: "empty A", a: [], b: ["create"], expected: [.added]),
    ]

    /// Builds one session of the given operations on each side and checks how the calls line up.
    @Test(arguments: cases)
    func alignsOperations(_ testCase: Case) {
        let report = RecordingDiff.compare(Self.session("A-SESSION-0001", testCase.a), Self.session("B-SESSION-0001", testCase.b, firstID: 100))
        let calls = report.sessions.flatMap(\.calls)
        #expect(calls.map(\.alignment) == testCase.expected)
        #expect(report.isEqual == testCase.expected.allSatisfy { $0 == .same })
    }

    @Test func reorderedCallKeepsBothExchangeIDs() {
        let report = RecordingDiff.compare(
            Self.session("A-SESSION-0001", ["create", "update", "read"]), Self.session("B-SESSION-0001", ["create", "read", "update"], firstID: 100))
        let moved = report.sessions[0].calls.filter { $0.alignment == .reordered }
        #expect(moved.count == 1)
        #expect(moved.first?.aExchangeID != nil && moved.first?.bExchangeID != nil)
        #expect(report.summary.reordered == 1)
        #expect(!report.isEqual)
    }

    @Test func missingCallIsPlacedAfterTheCallItFollowed() {
        let report = RecordingDiff.compare(
            Self.session("A-SESSION-0001", ["create", "update", "read", "update"]), Self.session("B-SESSION-0001", ["create", "update", "update"], firstID: 100))
        let calls = report.sessions[0].calls
        #expect(calls.map(\.alignment) == [.same, .same, .missing, .same])
        #expect(calls[2].operation == .read && calls[2].aExchangeID == 3)
    }

    @Test func sessionsAlignByOrderOfCreation() {
        let cart = Fixture.order([Fixture.line("SKU-1")])
        let a = Fixture.flow(firstID: 1, session: "A-SESSION-0001", order: cart) + Fixture.flow(firstID: 10, session: "A-SESSION-0002", order: cart)
        let b = Fixture.flow(firstID: 101, session: "B-SESSION-0001", order: cart)
            + Fixture.flow(firstID: 110, session: "B-SESSION-0002", order: cart)
            + Fixture.flow(firstID: 120, session: "B-SESSION-0003", order: cart)
        let report = RecordingDiff.compare(a, b)
        #expect(report.sessions.map(\.status) == [.same, .same, .added])
        #expect(report.sessions.map(\.index) == [1, 2, 3])
        #expect(report.sessions.map(\.aSessionID) == ["A-SESSION-0001", "A-SESSION-0002", nil])
        #expect(report.sessions.map(\.bSessionID) == ["B-SESSION-0001", "B-SESSION-0002", "B-SESSION-0003"])
        #expect(report.sessions[2].calls.allSatisfy { $0.alignment == .added })
        #expect(report.summary.addedSessions == 1)

        let reversed = RecordingDiff.compare(b, a)
        #expect(reversed.sessions.map(\.status) == [.same, .same, .missing])
        #expect(reversed.sessions[2].calls.allSatisfy { $0.alignment == .missing })
    }

    @Test func interleavedSessionsStillAlignByCreation() {
        let cart = Fixture.order([Fixture.line("SKU-1")])
        let a = Fixture.flow(firstID: 1, session: "A-SESSION-0001", order: cart) + Fixture.flow(firstID: 10, session: "A-SESSION-0002", order: cart)
        let first = Fixture.flow(firstID: 101, session: "B-SESSION-0001", order: cart)
        let second = Fixture.flow(firstID: 110, session: "B-SESSION-0002", order: cart)
        let b = [first[0], second[0], first[1], second[1], first[2], second[2]]
        let report = RecordingDiff.compare(a, b)
        #expect(report.isEqual)
        #expect(report.sessions.map(\.bSessionID) == ["B-SESSION-0001", "B-SESSION-0002"])
    }

    @Test func rejectedCreateLinesUpWithTheSessionItWouldHaveStarted() {
        let cart = Fixture.order([Fixture.line("SKU-1")])
        let a = Fixture.flow(firstID: 1, session: "A-SESSION-0001", order: cart)
        let b = [Fixture.create(
            id: 101, session: nil, order: cart, status: 400,
            response: Fixture.errorBody(code: "BAD_VALUE", messages: ["Bad value: purchase_currency"], correlationID: "c-1"))]
        let report = RecordingDiff.compare(a, b)
        #expect(report.sessions.count == 1)
        #expect(report.sessions[0].calls.map(\.alignment) == [.changed, .missing, .missing])
        #expect(report.sessions[0].calls[0].findings.first?.message == "status 200 → 400")
    }

    @Test func callsOutsideSessionsAlignByMethodAndPath() {
        let a = [
            Fixture.other(id: 1, path: "/payments/v1/authorizations/redacted:aaaaaaaaaaaaaaaa/order", status: 200),
            Fixture.other(id: 2, method: "DELETE", path: "/payments/v1/authorizations/redacted:aaaaaaaaaaaaaaaa", status: 204),
        ]
        let b = [
            Fixture.other(id: 11, path: "/payments/v1/authorizations/redacted:bbbbbbbbbbbbbbbb/order", status: 200),
            Fixture.other(id: 12, path: "/ordermanagement/v1/orders/7f1e2a9d-4c60-4e71-b3c5-0d6c4b2e9a8f", status: 200),
        ]
        let report = RecordingDiff.compare(a, b)
        #expect(report.sessions.count == 1)
        #expect(report.sessions[0].isUnscoped)
        #expect(report.sessions[0].calls.map(\.alignment) == [.same, .missing, .added])
        #expect(report.sessions[0].calls.map(\.path) == [
            "/payments/v1/authorizations/{redacted}/order", "/payments/v1/authorizations/{redacted}", "/ordermanagement/v1/orders/{id}",
        ])
    }

    @Test func alignerFallsBackToOccurrencePairingOnHugeInputs() {
        let a = (0..<1500).map { "k\($0 % 7)" }
        let b = (0..<1500).map { "k\(($0 + 3) % 7)" } + ["only-b"]
        let steps = SequenceAligner.align(a, b)
        #expect(steps.compactMap(\.a).sorted() == Array(0..<a.count))
        #expect(steps.compactMap(\.b).sorted() == Array(0..<b.count))
        #expect(steps.contains { $0.a == nil && $0.b == b.count - 1 })
    }

    /// One session: operation names become create/update/read exchanges on `session`.
    static func session(_ session: String, _ operations: [String], firstID: Int64 = 1) -> [RecordedExchange] {
        let cart = Fixture.order([Fixture.line("SKU-1")])
        return operations.enumerated().map { offset, operation in
            let id = firstID + Int64(offset)
            switch operation {
            case "create": return Fixture.create(id: id, session: session, order: cart)
            case "update": return Fixture.update(id: id, session: session, order: cart)
            default:
                return Fixture.read(
                    id: id, session: session,
                    response: Fixture.readResponse(session: session, order: cart, expiresAt: "2024-05-03T10:00:00Z", createdAt: "2024-05-01T10:00:00Z"))
            }
        }
    }
}
