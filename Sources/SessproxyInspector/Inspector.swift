import Foundation
import SessproxyCore
import SessproxyDiff
import SessproxyStore
import Synchronization

/// The traffic inspector: the page under `/__sessproxy/ui/` and its JSON API under
/// `/__sessproxy/api/`, for a recording run, a replay run, or cassettes at rest (`inspect`).
/// Read-only: nothing here writes a cassette or sends traffic anywhere. Every request needs the
/// start's token and a `Host` naming the listen address (`InspectorAccess`). Whatever may block
/// (SQLite, diffing) runs on NIO's thread pool, never on an event loop; the live feed is
/// `LiveFeed`.
public final class Inspector: InspectorService, TrafficObserver {
    let traffic: any InspectedTraffic
    /// The second cassette of `inspect A B`, with both labels.
    let other: (any InspectedTraffic)?
    let labels: (String, String)
    /// Names this process's inspector: ids of a replay run's requests start over when it is
    /// restarted, and a recorder may be restarted on another cassette, so an open page that sees
    /// another instance after reconnecting (the same `--ui-token`) loads its list afresh instead of
    /// catching up after an id the new process never had.
    let instance = String(UInt64.random(in: .min ... .max), radix: 16)
    let feed: LiveFeed
    private let access: Mutex<InspectorAccess>
    private let listen: ListenAddress

    /// Rows per API page unless `limit` asks for fewer (or more, up to `maximumPage`).
    static let defaultPage = 200
    static let maximumPage = 1_000
    /// Rows a HAR export holds at most.
    static let maximumExport = 10_000

    init(traffic: any InspectedTraffic, other: (any InspectedTraffic)? = nil, labels: (String, String), token: String, listen: ListenAddress) {
        self.traffic = traffic
        self.other = other
        self.labels = labels
        self.listen = listen
        self.access = Mutex(InspectorAccess(token: token, listen: listen))
        self.feed = LiveFeed(instance: instance)
    }

    /// The inspector of a recording run over its cassette.
    public static func recording(cassette: Cassette, token: String, listen: ListenAddress) -> Inspector {
        Inspector(traffic: CassetteTraffic(cassette: cassette, mode: "record"), labels: (cassette.path, ""), token: token, listen: listen)
    }

    /// The inspector of a replay run: the requests it serves, linked to the recorded exchanges
    /// `recordings` reads (replay's own body source).
    public static func replaying(
        recordings: (any ReplayExchangeSource)?, cassetteName: String, token: String, listen: ListenAddress
    ) -> Inspector {
        Inspector(traffic: ReplayTraffic(recordings: recordings), labels: (cassetteName, ""), token: token, listen: listen)
    }

    /// `inspect A [B]`: cassettes at rest, read-only, shown under `labels` (a fleet recording's
    /// URL rather than the temporary file it was pulled into); the files' paths by default.
    public static func inspecting(
        _ first: Cassette, _ second: Cassette?, labels: (String, String)? = nil, token: String, listen: ListenAddress
    ) -> Inspector {
        Inspector(
            traffic: CassetteTraffic(cassette: first, mode: "inspect"), other: second.map { CassetteTraffic(cassette: $0, mode: "inspect") },
            labels: labels ?? (first.path, second?.path ?? ""), token: token, listen: listen)
    }

    public var token: String { access.withLock { $0.token } }

    /// Once the listener is bound (port 0 picks one), the `Host` it will be reached by.
    public func listening(on port: Int) {
        let token = self.token
        access.withLock { $0 = InspectorAccess(token: token, listen: ListenAddress(host: listen.host, port: port)) }
    }

    public func pageURL(port: Int) -> String {
        InspectorAccess.pageURL(listen: listen, port: port, token: token)
    }

    /// Health members: live-feed clients open and dropped.
    public var healthMembers: [JSONMember] {
        [
            JSONMember(key: "inspector_clients", value: .number(String(feed.clientCount))),
            JSONMember(key: "inspector_clients_dropped", value: .number(String(feed.droppedClients))),
        ]
    }

    public func stop() { feed.finishAll() }

    // MARK: Traffic

    public func recorded(_ exchange: RecordedExchange) {
        feed.publish(exchange: exchange, row: ExchangeDocument.summary)
    }

    public func served(_ request: ServedRequest) {
        (traffic as? ReplayTraffic)?.append(request)
        feed.publish(exchange: request.exchange) { _ in InspectorDocuments.summary(of: request) }
    }

    // MARK: Routes

    public func respond(to request: InspectorRequest) async -> InspectorResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .error(405, "the inspector is read-only: \(request.method) is not allowed")
        }
        let verdict = access.withLock {
            $0.check(host: request.host, queryToken: request.query["token"], cookieHeader: request.cookie, authorization: request.authorization)
        }
        // The page's addresses answer refusals as a page, the API's as JSON.
        let asPage = request.path.hasPrefix("/__sessproxy/ui")
        func refusal(_ status: Int, _ message: String) -> InspectorResponse {
            asPage ? .errorPage(status, message) : .error(status, message)
        }
        let setCookie: String?
        switch verdict {
        case .wrongHost:
            return refusal(403, "Host \(request.host ?? "(none)") is not this inspector's address")
        case .unauthorized:
            return refusal(401, "the inspector needs its token: open the URL sessproxy printed at start (…/__sessproxy/ui/?token=…; a shared view's part after # may follow it)")
        case .allowed(let cookie):
            setCookie = cookie
        }
        var response = await route(request)
        if let setCookie { response.headers.append(HeaderField(name: "Set-Cookie", value: setCookie)) }
        return response
    }

    private func route(_ request: InspectorRequest) async -> InspectorResponse {
        let path = request.path
        if path == "/__sessproxy/ui" {
            return InspectorResponse(status: 308, headers: [HeaderField(name: "Location", value: "/__sessproxy/ui/")], body: .bytes([]))
        }
        if path.hasPrefix("/__sessproxy/ui/") {
            return InspectorAssets.response(for: String(path.dropFirst("/__sessproxy/ui/".count)), ifNoneMatch: request.ifNoneMatch)
        }
        let api = "/__sessproxy/api/"
        guard path.hasPrefix(api) else { return .error(404, "no such inspector endpoint: \(path)") }
        let parts = path.dropFirst(api.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        do {
            switch (parts.first ?? "", parts.count) {
            case ("info", 1): return .json(info)
            case ("exchanges", 1): return try await exchanges(request.query)
            case ("exchanges", 2): return try await detail(parts[1], request.query)
            case ("recorded", 2): return try await recorded(parts[1])
            case ("sessions", 1): return try await sessions(request.query)
            // A session id is a path segment: the page escapes it, so it is unescaped here.
            case ("sessions", 2): return try await session(PercentEncoding.decode(parts[1], plusIsSpace: false), request.query)
            case ("misses", 1): return .json(.array(traffic.misses()))
            case ("compare", 1): return try await compare(request.query)
            case ("events", 1): return try events(request.query)
            case ("export.har", 1): return try await har(request.query)
            default: return .error(404, "no such inspector endpoint: \(path)")
            }
        } catch let invalid as InvalidQuery {
            return .error(400, invalid.message)
        } catch {
            return .error(500, "could not read the cassette: \(error)")
        }
    }

    /// What the page is showing, by name: one cassette or fleet recording, or two for `inspect A B`.
    public var sourceNames: [String] { [labels.0, labels.1].filter { !$0.isEmpty } }

    private var info: JSONValue {
        .object([
            JSONMember(key: "mode", value: .string(traffic.mode)),
            JSONMember(key: "instance", value: .string(instance)),
            JSONMember(key: "cassettes", value: .array(sourceNames.map { .string($0) })),
            JSONMember(key: "compare_across", value: .bool(other != nil)),
        ])
    }

    /// Which traffic a request means: `cassette=b` picks the second file of `inspect A B`.
    private func source(_ query: [String: String]) throws -> any InspectedTraffic {
        switch query.parameter("cassette") ?? "a" {
        case "a": return traffic
        case "b":
            guard let other else { throw InvalidQuery(message: "cassette=b needs `inspect A B` (two files)") }
            return other
        default: throw InvalidQuery(message: "cassette must be a or b")
        }
    }

    private static func limit(_ query: [String: String]) throws -> Int {
        guard let text = query.parameter("limit") else { return defaultPage }
        guard let limit = Int(text), limit > 0 else { throw InvalidQuery(message: "limit must be a positive integer (got \(text))") }
        return min(limit, maximumPage)
    }

    /// A page forward (`more`: later rows exist) or back (`older`: earlier rows exist); one row
    /// past the page is read to know.
    private func exchanges(_ query: [String: String]) async throws -> InspectorResponse {
        let filter = try ExchangeFilter(query: query)
        let anchor = try PageAnchor(query: query)
        let limit = try Self.limit(query)
        let source = try source(query)
        let rows = try await BlockingWork.run { try source.page(filter: filter, from: anchor, limit: limit + 1) }
        let beyond = rows.count > limit
        return .json(.object([
            JSONMember(key: "exchanges", value: .array(anchor.isBackward ? Array(rows.suffix(limit)) : Array(rows.prefix(limit)))),
            JSONMember(key: anchor.isBackward ? "older" : "more", value: .bool(beyond)),
        ]))
    }

    private func detail(_ idText: String, _ query: [String: String]) async throws -> InspectorResponse {
        guard let id = try InvalidQuery.id(idText, name: "exchange id") else { throw InvalidQuery(message: "exchange id missing") }
        let source = try source(query)
        guard let document = try await BlockingWork.run({ try source.detail(id: id) }) else { return .error(404, "no exchange \(id)") }
        return .json(document)
    }

    private func recorded(_ idText: String) async throws -> InspectorResponse {
        guard let id = try InvalidQuery.id(idText, name: "exchange id") else { throw InvalidQuery(message: "exchange id missing") }
        guard let replay = traffic as? ReplayTraffic else { return try await detail(idText, [:]) }
        guard let document = try await BlockingWork.run({ try replay.recorded(id: id) }) else { return .error(404, "no recorded exchange \(id)") }
        return .json(document)
    }

    private func sessions(_ query: [String: String]) async throws -> InspectorResponse {
        let after = try InvalidQuery.id(query["after"], name: "after")
        let limit = try Self.limit(query)
        let source = try source(query)
        let rows = try await BlockingWork.run { try source.sessions(after: after, limit: limit) }
        return .json(.object([JSONMember(key: "sessions", value: .array(rows))]))
    }

    private func session(_ sessionID: String, _ query: [String: String]) async throws -> InspectorResponse {
        let source = try source(query)
        guard let document = try await BlockingWork.run({ try source.session(sessionID) }) else { return .error(404, "no session \(sessionID)") }
        return .json(document)
    }

    /// `sessproxy diff`'s engine on two calls. With `inspect A B`, `a` is read from the first
    /// cassette and `b` from the second (the same call in two recordings) unless `a_cassette` /
    /// `b_cassette` say otherwise; with one source both come from it.
    private func compare(_ query: [String: String]) async throws -> InspectorResponse {
        guard let a = try InvalidQuery.id(query["a"], name: "a"), let b = try InvalidQuery.id(query["b"], name: "b") else {
            throw InvalidQuery(message: "compare needs a=ID and b=ID")
        }
        let aSide = query.parameter("a_cassette") ?? "a"
        let bSide = query.parameter("b_cassette") ?? (other == nil ? "a" : "b")
        let first = try source(["cassette": aSide])
        let second = try source(["cassette": bSide])
        let name = { (side: String) in side == "b" ? self.labels.1 : self.labels.0 }
        let labels = other == nil ? ("#\(a)", "#\(b)") : ("\(name(aSide)) #\(a)", "\(name(bSide)) #\(b)")
        let result: (JSONValue, String)? = try await BlockingWork.run {
            guard let left = try first.exchange(id: a), let right = try second.exchange(id: b) else { return nil }
            let report = RecordingDiff.compare([left], [right], labels: labels)
            return (JSONDiffRenderer().document(report), TextDiffRenderer(colour: false).render(report))
        }
        guard let (document, text) = result else { return .error(404, "exchange \(a) or \(b) does not exist") }
        return .json(InspectorDocuments.adding([JSONMember(key: "text", value: .string(text))], to: document))
    }

    private func events(_ query: [String: String]) throws -> InspectorResponse {
        let filter = try ExchangeFilter(query: query)
        return InspectorResponse(
            status: 200,
            headers: [
                HeaderField(name: "Content-Type", value: "text/event-stream"), HeaderField(name: "Cache-Control", value: "no-store"),
                HeaderField(name: "X-Accel-Buffering", value: "no"),
            ],
            body: .stream(feed.subscribe(filter: filter)))
    }

    private func har(_ query: [String: String]) async throws -> InspectorResponse {
        let filter = try ExchangeFilter(query: query)
        let source = try source(query)
        let exchanges = try await BlockingWork.run { try source.exchanges(filter: filter, limit: Self.maximumExport) }
        let document = HARDocument.document(for: exchanges, creatorVersion: "inspector")
        return InspectorResponse(
            status: 200,
            headers: [
                HeaderField(name: "Content-Type", value: "application/json"),
                HeaderField(name: "Content-Disposition", value: #"attachment; filename="sessproxy.har""#),
            ],
            body: .bytes(JSONSerializer.bytes(document, style: .pretty)))
    }
}
