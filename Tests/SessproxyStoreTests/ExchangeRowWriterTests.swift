import Foundation
import GRDB
import SessproxyCore
import Testing
@testable import SessproxyStore

/// How an exchange is stored, column by column, and that what is stored reads back as the
/// exchange that was written.
@Suite struct ExchangeRowWriterTests {
    static let exchanges: [RecordedExchange] = {
        var plain = CassetteTests.sample(1)
        plain.precomputedMatchKey = String(repeating: "ab", count: 32)
        var unicode = CassetteTests.sample(2, session: nil)
        unicode.requestBody = Array(#"{"name":"Åsa Öberg – \"quoted\" \\ back","city":"Zürich"}"#.utf8)
        unicode.requestHeaders = [HeaderField(name: "X-Note", value: "tab\there \"q\" \u{1}"), HeaderField(name: "Empty", value: "")]
        unicode.responseEncoding = nil
        unicode.redactions = []
        var binary = CassetteTests.sample(3)
        binary.responseBody = [0xFF, 0x00, 0x1F, 0x8B, 0x41]
        binary.requestBody = []
        binary.status = 502
        binary.proxyError = "upstream reset"
        binary.redactions = ["request.body.email", "note with \"quotes\""]
        var empty = CassetteTests.sample(4)
        empty.requestHeaders = []
        empty.responseHeaders = []
        empty.responseBody = []
        empty.target = "/payments/v1/sessions/s-4?x=1"
        empty.method = "GET"
        empty.operation = .read
        return [plain, unicode, binary, empty]
    }()

    static func row(_ cassette: Cassette, id: Int64) throws -> Row {
        let columns = ExchangeRecord.writtenColumns.map { "\($0), typeof(\($0)) AS \($0)_type" }.joined(separator: ", ")
        return try #require(try cassette.pool.read { db in try Row.fetchOne(db, sql: "SELECT \(columns) FROM exchange WHERE id = ?", arguments: [id]) })
    }

    @Test func readsBackAsWrittenWithEachColumnsStorageClass() throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let ids = try cassette.pool.write { db in try Cassette.insert(Self.exchanges, into: db) }
        #expect(ids == [1, 2, 3, 4])
        var expected = Self.exchanges
        for index in expected.indices {
            expected[index].id = ids[index]
            expected[index].precomputedMatchKey = nil
        }
        #expect(try cassette.allExchanges() == expected)

        let plain = try Self.row(cassette, id: 1)
        #expect(plain["started_at"] == "2023-11-14T22:13:21.000Z")
        #expect(plain["request_body_type"] == "text")
        #expect(plain["request_body"] == #"{"order_amount":1}"#)
        #expect(plain["request_headers"] == #"[["Content-Type","application/json"]]"#)
        #expect(plain["redactions"] == #"["request.header.authorization"]"#)
        #expect(plain["status_type"] == "integer")
        #expect(plain["path"] == "/payments/v1/sessions")
        #expect(plain["match_key"] == String(repeating: "ab", count: 32))
        #expect(plain["proxy_error_type"] == "null")

        let unicode = try Self.row(cassette, id: 2)
        #expect(unicode["request_body_type"] == "text")
        #expect(unicode["session_id_type"] == "null")
        #expect(unicode["response_encoding_type"] == "null")
        #expect(unicode["request_headers"] == #"[["X-Note","tab\there \"q\" \u0001"],["Empty",""]]"#)
        #expect(unicode["redactions"] == "[]")
        // A key computed at write time, as replay would compute it.
        #expect(unicode["match_key"] == ReplayKeyPolicy.storedKeyMatcher.matchKey(for: Self.exchanges[1]))

        let binary = try Self.row(cassette, id: 3)
        #expect(binary["response_body_type"] == "blob")
        #expect(binary["request_body_type"] == "null")
        #expect(binary["proxy_error"] == "upstream reset")

        let empty = try Self.row(cassette, id: 4)
        #expect(empty["response_body_type"] == "null")
        #expect(empty["request_headers"] == "[]")
        #expect(empty["response_headers"] == "[]")
        #expect(empty["path"] == "/payments/v1/sessions/s-4")
    }

    @Test func noKeyIsComputedOrStoredWhenTheFileKeysUnderOtherRules() throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        try cassette.pool.write { db in
            try db.execute(sql: "UPDATE cassette_meta SET value = 'other' WHERE key = ?", arguments: [CassetteSchema.matchRulesMetaKey])
        }
        _ = try cassette.pool.write { db in try Cassette.insert(Self.exchanges, into: db) }
        let keys = try cassette.pool.read { db in try String?.fetchAll(db, sql: "SELECT match_key FROM exchange") }
        #expect(keys == [nil, nil, nil, nil])
    }

    @Test func anUpdateRewritesEveryColumnOfItsRowOnly() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let ids = try await cassette.insert(Self.exchanges)
        var changed = Self.exchanges[2]
        changed.id = ids[0]
        try await cassette.replace([changed])
        var expected = Self.exchanges
        for index in expected.indices {
            expected[index].id = ids[index]
            expected[index].precomputedMatchKey = nil
        }
        expected[0] = changed
        #expect(try cassette.allExchanges() == expected)
        #expect(try Self.row(cassette, id: ids[0])["response_body_type"] == "blob")
    }

    @Test func asciiIsRecognisedEightBytesAtATimeAndByByte() {
        for text in ["", "a", "abcdefgh", "abcdefghi", String(repeating: "x", count: 4097)] {
            #expect(Array(text.utf8).withUnsafeBufferPointer(ExchangeRowWriter.isASCII))
        }
        for bytes: [UInt8] in [[0x80], Array("abcdefg\u{e9}".utf8), Array("abcdefgh\u{e9}".utf8), [0x41, 0xFF]] {
            #expect(!bytes.withUnsafeBufferPointer(ExchangeRowWriter.isASCII))
        }
    }
}
