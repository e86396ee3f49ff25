import Foundation
import SessproxyCore
import Testing
@testable import SessproxyStore

/// The inspector's pages of a cassette: free text scans the id range in two halves at once and
/// still pages in id order, across the halves, after any cursor.
@Suite struct CassetteBrowsingTests {
    @Test func freeTextPagesInIDOrderAcrossTheScannedHalves() async throws {
        let cassette = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        let exchanges = (1...20).map { n in
            var exchange = CassetteTests.sample(n)
            exchange.responseBody = Array((n % 3 == 0 ? #"{"note":"Needle \#(n)"}"# : #"{"note":"hay"}"#).utf8)
            return exchange
        }
        _ = try await cassette.insert(exchanges)
        let filter = ExchangeFilter(text: "needle")
        #expect(try cassette.summaries(filter: filter, after: nil, limit: 10).map(\.id) == [3, 6, 9, 12, 15, 18])
        #expect(try cassette.summaries(filter: filter, after: nil, limit: 4).map(\.id) == [3, 6, 9, 12])
        #expect(try cassette.summaries(filter: filter, after: 9, limit: 2).map(\.id) == [12, 15])
        #expect(try cassette.summaries(filter: filter, after: 18, limit: 5).isEmpty)
        #expect(try cassette.summaries(filter: ExchangeFilter(text: "absent"), after: nil, limit: 5).isEmpty)
        let empty = try Cassette.openOrCreate(path: CassetteTests.temporaryPath())
        #expect(try empty.summaries(filter: filter, after: nil, limit: 5).isEmpty)
    }
}
