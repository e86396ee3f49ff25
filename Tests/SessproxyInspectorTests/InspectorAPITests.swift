import Foundation
import Testing

@testable import SessproxyCore
@testable import SessproxyInspector
@testable import SessproxyStore

/// The inspector's JSON API against a real cassette, through `respond(to:)` as the server calls
/// it: the token rule, filters and paging, detail with findings, sessions, compare, HAR, and the
/// live feed with its bounded buffers.
@Suite struct InspectorAPITests {
    static let token = "inspector-test-token-0001"
    static let listen = ListenAddress(host: "127.0.0.1", port: 8080)
    static let sessions = "/payments/v1/sessions"

    static func exchange(_ method: String, _ target: String, body: String = "", status: Int = 200, response: String = "") -> RecordedExchange {
        let route = KlarnaRouteClassifier.classify(method: method, target: target)
        return RecordedExchange(
            startedAt: Date(timeIntervalSince1970: 1_700_000_000), durationMicros: 1500, method: method, target: target,
            operation: route.operation, sessionID: route.sessionID, upstream: "https://api.playground.klarna.com",
            requestHeaders: [HeaderField(name: "Authorization", value: "Basic redacted:aaaaaaaaaaaaaaaa")], requestBody: Array(body.utf8),
            status: status, responseHeaders: [HeaderField(name: "Content-Type", value: "application/json")], responseBody: Array(response.utf8))
    }

    /// Two flows: A (create, read, failed update with a broken line total) and B (create, read).
    static func flows() -> [RecordedExchange] {
        var createA = exchange("POST", sessions, body: #"{"order_amount":100,"order_lines":[{"reference":"CAP-7","quantity":1,"unit_price":100,"total_amount":100}]}"#,
            response: #"{"session_id":"A","client_token":"redacted:0123456789abcdef"}"#)
        createA.sessionID = "A"
        var createB = createA
        createB.sessionID = "B"
        createB.responseBody = Array(#"{"session_id":"B","client_token":"redacted:0123456789abcdef"}"#.utf8)
        return [
            createA,
            exchange("GET", "\(sessions)/A", response: #"{"status":"incomplete","order_amount":100,"billing_address":{"email":"redacted:3fa9c2d1e0b4a789~email"}}"#),
            exchange("POST", "\(sessions)/A", body: #"{"order_amount":300,"order_lines":[{"reference":"CAP-7","quantity":2,"unit_price":100,"total_amount":300}]}"#,
                status: 400, response: #"{"error_code":"BAD_VALUE","error_messages":["Bad value: order_lines[0].total_amount"],"correlation_id":"c"}"#),
            createB,
            exchange("GET", "\(sessions)/B", response: #"{"status":"incomplete","order_amount":100}"#),
        ]
    }

    static func cassette(_ exchanges: [RecordedExchange] = flows()) async throws -> Cassette {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sessproxy-inspector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cassette = try Cassette.openOrCreate(path: directory.appendingPathComponent("c.sqlite").path)
        _ = try await cassette.insert(exchanges)
        return cassette
    }

    static func get(_ inspector: Inspector, _ target: String, authorized: Bool = true, host: String = "127.0.0.1:8080") async -> InspectorResponse {
        let parsed = InspectorRequest.parse(target: target)
        return await inspector.respond(to: InspectorRequest(
            method: "GET", path: parsed.path, query: parsed.query, host: host, cookie: nil,
            authorization: authorized ? "Bearer \(token)" : nil))
    }

    static func json(_ response: InspectorResponse) throws -> JSONValue {
        guard case .bytes(let bytes) = response.body else { throw CocoaError(.coderInvalidValue) }
        return try JSONParser.parse(bytes)
    }

    static func ids(_ response: InspectorResponse) throws -> [Int64] {
        try json(response)["exchanges"]?.arrayValue?.compactMap { $0["id"]?.int64Value } ?? []
    }

    @Test func withoutTheTokenEveryRouteIs401AndCarriesNoData() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        for target in ["/__sessproxy/api/exchanges", "/__sessproxy/api/exchanges/1", "/__sessproxy/api/sessions", "/__sessproxy/api/events",
            "/__sessproxy/api/export.har", "/__sessproxy/ui/", "/__sessproxy/ui/app.js", "/__sessproxy/api/compare?a=1&b=2"]
        {
            let response = await Self.get(inspector, target, authorized: false)
            #expect(response.status == 401, "\(target)")
            guard case .bytes(let body) = response.body else {
                Issue.record("\(target): a stream without the token")
                continue
            }
            let text = String(decoding: body, as: UTF8.self)
            #expect(!text.contains("sessions/A") && !text.contains("redacted:"), "\(target)")
            if target.hasPrefix("/__sessproxy/ui/") {
                // A page, declaring an empty icon: no `/favicon.ico` through the proxy.
                #expect(text.contains("<link rel=\"icon\" href=\"data:,\">") && text.contains("needs its token"), "\(target)")
            } else {
                #expect(try Self.json(response)["error"]?.stringValue?.contains("needs its token") == true, "\(target)")
            }
        }
        #expect(await Self.get(inspector, "/__sessproxy/api/exchanges", host: "evil.example:8080").status == 403)
    }

    @Test func theListFiltersAndPagesInSQL() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges")) == [1, 2, 3, 4, 5])
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?status=4xx")) == [3])
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?operation=read&session=B")) == [5])
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?q=bad%20VALUE")) == [3])
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?q=100%25")).isEmpty, "LIKE wildcards are literal")
        let first = await Self.get(inspector, "/__sessproxy/api/exchanges?limit=2")
        #expect(try Self.ids(first) == [1, 2] && Self.json(first)["more"] == .bool(true))
        let next = await Self.get(inspector, "/__sessproxy/api/exchanges?limit=2&after=2")
        #expect(try Self.ids(next) == [3, 4])
        // The page opens on the newest rows and pages back, each page in id order.
        let newest = await Self.get(inspector, "/__sessproxy/api/exchanges?limit=2&before=end")
        #expect(try Self.ids(newest) == [4, 5] && Self.json(newest)["older"] == .bool(true) && Self.json(newest)["more"] == nil)
        let older = await Self.get(inspector, "/__sessproxy/api/exchanges?limit=2&before=4")
        #expect(try Self.ids(older) == [2, 3] && Self.json(older)["older"] == .bool(true))
        let oldest = await Self.get(inspector, "/__sessproxy/api/exchanges?limit=2&before=2")
        #expect(try Self.ids(oldest) == [1] && Self.json(oldest)["older"] == .bool(false))
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?limit=1&before=end&q=bad%20value")) == [3])
        let both = await Self.get(inspector, "/__sessproxy/api/exchanges?after=1&before=4")
        let bothMessage = try Self.json(both)["error"]?.stringValue ?? ""
        #expect(both.status == 400 && bothMessage.contains("not both"))
        let bad = await Self.get(inspector, "/__sessproxy/api/exchanges?status=9xx")
        let message = try Self.json(bad)["error"]?.stringValue ?? ""
        #expect(bad.status == 400 && message.contains("status"))
    }

    @Test func aDetailIsTheShowDocumentWithTheBrokenRuleAndKlarnasError() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        let detail = try Self.json(await Self.get(inspector, "/__sessproxy/api/exchanges/3"))
        #expect(detail["request"]?["method"]?.stringValue == "POST" && detail["response"]?["status"]?.int64Value == 400)
        let rule = detail["findings"]?["amount_rules"]?.arrayValue?.first
        #expect(rule?["rule"]?.stringValue == "line-total" && rule?["line_reference"]?.stringValue == "CAP-7")
        #expect(detail["findings"]?["klarna_error"]?["error_code"]?.stringValue == "BAD_VALUE")
        #expect(detail["curl"]?.stringValue?.contains("redacted:aaaaaaaaaaaaaaaa") == true)
        #expect(await Self.get(inspector, "/__sessproxy/api/exchanges/99").status == 404)
    }

    @Test func sessionsAndTheirTimelines() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        let list = try Self.json(await Self.get(inspector, "/__sessproxy/api/sessions"))["sessions"]?.arrayValue ?? []
        #expect(list.compactMap { $0["session_id"]?.stringValue } == ["A", "B"])
        let timeline = try Self.json(await Self.get(inspector, "/__sessproxy/api/sessions/A"))
        let steps = timeline["steps"]?.arrayValue ?? []
        #expect(steps.compactMap { $0["operation"]?.stringValue } == ["create", "read", "update"])
        #expect(steps.last?["error_messages"]?.arrayValue?.first?.stringValue == "Bad value: order_lines[0].total_amount")
        #expect(steps.compactMap { $0["order_amount"]?.int64Value } == [100, 100, 300])
        // The page escapes a session id in the path (`abc def`, `<b>`): it is unescaped.
        let escaped = try Self.json(await Self.get(inspector, "/__sessproxy/api/sessions/%41"))
        #expect(escaped["steps"]?.arrayValue?.count == 3)
    }

    /// Compare runs `sessproxy diff`'s engine: the same call in two cassettes, one of which broke a rule.
    @Test func compareAcrossTwoCassettesUsesTheDiffEngine() async throws {
        var changed = Self.flows()
        changed[0].requestBody = Array(#"{"order_amount":100,"order_lines":[{"reference":"CAP-7","quantity":1,"unit_price":100,"total_amount":90}]}"#.utf8)
        let inspector = Inspector.inspecting(try await Self.cassette(), try await Self.cassette(changed), token: Self.token, listen: Self.listen)
        let same = try Self.json(await Self.get(inspector, "/__sessproxy/api/compare?a=2&b=2"))
        #expect(same["equal"] == .bool(true))
        let different = try Self.json(await Self.get(inspector, "/__sessproxy/api/compare?a=1&b=1"))
        #expect(different["equal"] == .bool(false))
        #expect(different["text"]?.stringValue?.contains("line-total") == true || different["text"]?.stringValue?.contains("total_amount") == true)
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?cassette=b&limit=1")) == [1])
        #expect(await Self.get(inspector, "/__sessproxy/api/compare?a=1").status == 400)
    }

    @Test func theHARExportHoldsWhatTheFilterShows() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        let har = try Self.json(await Self.get(inspector, "/__sessproxy/api/export.har?operation=read"))
        let entries = har["log"]?["entries"]?.arrayValue ?? []
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["request"]?["method"]?.stringValue == "GET" })
    }

    @Test func thePageIsServedWithTypesAndRevalidation() async throws {
        let inspector = Inspector.inspecting(try await Self.cassette(), nil, token: Self.token, listen: Self.listen)
        let page = await Self.get(inspector, "/__sessproxy/ui/")
        #expect(page.status == 200 && page.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/html") })
        let script = await Self.get(inspector, "/__sessproxy/ui/app.js")
        #expect(script.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/javascript") })
        let etag = try #require(script.headers.first { $0.name == "ETag" }?.value)
        let again = await inspector.respond(to: InspectorRequest(
            method: "GET", path: "/__sessproxy/ui/app.js", query: [:], host: "127.0.0.1:8080", cookie: "\(InspectorAccess(token: Self.token, listen: Self.listen).cookieName)=\(Self.token)",
            authorization: nil, ifNoneMatch: etag))
        #expect(again.status == 304)
        let withToken = await inspector.respond(to: InspectorRequest(
            method: "GET", path: "/__sessproxy/ui/", query: ["token": Self.token], host: "localhost:8080", cookie: nil, authorization: nil))
        #expect(withToken.headers.contains { $0.name == "Set-Cookie" && $0.value.hasPrefix(InspectorAccess(token: Self.token, listen: Self.listen).cookieName + "=") })
        #expect(await Self.get(inspector, "/__sessproxy/ui/../../etc/passwd").status == 404)
        let write = await inspector.respond(to: InspectorRequest(
            method: "POST", path: "/__sessproxy/api/exchanges", query: [:], host: "127.0.0.1:8080", cookie: nil, authorization: "Bearer \(Self.token)"))
        #expect(write.status == 405)
    }

    /// A recorded exchange reaches every open feed whose filter it passes, as one event.
    @Test func theLiveFeedSendsCommittedExchangesThroughEachClientsFilter() async throws {
        let inspector = Inspector.recording(cassette: try await Self.cassette([]), token: Self.token, listen: Self.listen)
        guard case .stream(let all) = await Self.get(inspector, "/__sessproxy/api/events").body,
            case .stream(let updates) = await Self.get(inspector, "/__sessproxy/api/events?operation=update").body
        else {
            Issue.record("events is not a stream")
            return
        }
        var flows = Self.flows()
        for index in flows.indices {
            flows[index].id = Int64(index + 1)
            inspector.recorded(flows[index])
        }
        inspector.stop()
        var allEvents: [String] = []
        for await chunk in all { allEvents.append(String(decoding: chunk, as: UTF8.self)) }
        var updateEvents: [String] = []
        for await chunk in updates { updateEvents.append(String(decoding: chunk, as: UTF8.self)) }
        #expect(allEvents.filter { $0.hasPrefix("event: exchange") }.count == 5)
        let onlyUpdate = updateEvents.filter { $0.hasPrefix("event: exchange") }
        #expect(onlyUpdate.count == 1 && onlyUpdate[0].contains("\"id\":3") && onlyUpdate[0].contains("\"operation\":\"update\""))
    }

    /// Each stream opens by naming the inspector's instance, as `info` does; another process
    /// (a replay restarted with the same token) names another, so an open page knows to load
    /// its list afresh rather than catch up after ids the new process never had.
    @Test func theLiveFeedOpensByNamingItsInstance() async throws {
        let cassette = try await Self.cassette([])
        let first = Inspector.recording(cassette: cassette, token: Self.token, listen: Self.listen)
        let second = Inspector.recording(cassette: cassette, token: Self.token, listen: Self.listen)
        func instance(_ inspector: Inspector) async throws -> String? {
            try Self.json(await Self.get(inspector, "/__sessproxy/api/info"))["instance"]?.stringValue
        }
        let named = try #require(try await instance(first))
        #expect(try await instance(first) == named, "one process keeps one instance")
        #expect(try await instance(second) != named)
        guard case .stream(let events) = await Self.get(first, "/__sessproxy/api/events").body else {
            Issue.record("events is not a stream")
            return
        }
        first.stop()
        var opening = ""
        for await chunk in events {
            opening = String(decoding: chunk, as: UTF8.self)
            break
        }
        #expect(opening == "retry: 1000\nevent: hello\ndata: {\"instance\":\"\(named)\"}\n\n")
    }

    /// A browser that stops reading is dropped once its buffer is full; publishing never waits.
    @Test func aStalledClientIsDroppedNotWaitedFor() async throws {
        let feed = LiveFeed(instance: "test")
        let stalled = feed.subscribe(filter: ExchangeFilter())
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for id in 1...(LiveFeed.bufferLimit + 10) {
                var exchange = Self.flows()[0]
                exchange.id = Int64(id)
                feed.publish(exchange: exchange, row: ExchangeDocument.summary)
            }
        }
        #expect(feed.droppedClients == 1 && feed.clientCount == 0)
        #expect(elapsed < .seconds(1))
        var received = 0
        for await _ in stalled { received += 1 }
        #expect(received == LiveFeed.bufferLimit, "what was buffered is still delivered, then the stream ends")
    }

    @Test func aReplayRunListsWhatItServedWithHitsAndMisses() async throws {
        let cassette = try await Self.cassette()
        let inspector = Inspector.replaying(recordings: CassetteReplaySource(cassette: cassette), cassetteName: "c.sqlite", token: Self.token, listen: Self.listen)
        let miss: JSONValue = .object([JSONMember(key: "reason", value: .string("no recorded request has this body"))])
        func served(_ number: Int64, _ target: String, _ operation: KlarnaOperation, status: Int, body: String) -> RecordedExchange {
            RecordedExchange(
                id: number, startedAt: Date(), durationMicros: 300, method: "POST", target: target, operation: operation, sessionID: "A",
                upstream: "replay", requestHeaders: [], requestBody: [], status: status, responseHeaders: [], responseBody: Array(body.utf8))
        }
        inspector.served(ServedRequest(exchange: served(1, Self.sessions, .create, status: 200, body: #"{"session_id":"A"}"#), recordedExchangeID: 1, miss: nil))
        inspector.served(ServedRequest(exchange: served(2, "\(Self.sessions)/A", .update, status: 404, body: ""), recordedExchangeID: nil, miss: miss))
        let rows = try Self.json(await Self.get(inspector, "/__sessproxy/api/exchanges"))["exchanges"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["replay"]?.stringValue } == ["hit", "miss"])
        let hit = try Self.json(await Self.get(inspector, "/__sessproxy/api/exchanges/1"))
        #expect(hit["recorded_exchange_id"]?.int64Value == 1)
        let recorded = try Self.json(await Self.get(inspector, "/__sessproxy/api/recorded/1"))
        #expect(recorded["request"]?["path"]?.stringValue == Self.sessions)
        let missed = try Self.json(await Self.get(inspector, "/__sessproxy/api/exchanges/2"))
        #expect(missed["miss"] == miss)
        #expect(try Self.json(await Self.get(inspector, "/__sessproxy/api/misses")) == .array([miss]))
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?status=4xx")) == [2])
        inspector.served(ServedRequest(exchange: served(3, "\(Self.sessions)/A", .read, status: 200, body: "{}"), recordedExchangeID: 2, miss: nil))
        let newest = await Self.get(inspector, "/__sessproxy/api/exchanges?before=end&limit=2")
        #expect(try Self.ids(newest) == [2, 3] && Self.json(newest)["older"] == .bool(true))
        #expect(try Self.ids(await Self.get(inspector, "/__sessproxy/api/exchanges?before=3&limit=5&operation=create")) == [1])
    }
}
