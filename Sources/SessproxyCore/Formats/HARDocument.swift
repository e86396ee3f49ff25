import Foundation

/// HAR 1.2 (the HTTP Archive format of browser devtools and most proxies), both directions.
/// Export gives a file devtools can open (`Network › Import HAR`); import accepts what devtools
/// and other proxies write. sessproxy's own details that HAR has no field for ride along in
/// an `_sessproxy` member of each entry (custom fields start with `_` in HAR), so that a
/// cassette survives export → import.
public enum HARDocument {
    /// The whole HAR document for these exchanges, in the order given.
    public static func document(for exchanges: [RecordedExchange], creatorVersion: String) -> JSONValue {
        document(entries: exchanges.map(entry), creatorVersion: creatorVersion)
    }

    /// The HAR document around entries already made with `entry(_:)`.
    public static func document(entries: [JSONValue], creatorVersion: String) -> JSONValue {
        .object([
            JSONMember(key: "log", value: .object([
                JSONMember(key: "version", value: "1.2"),
                JSONMember(key: "creator", value: .object([
                    JSONMember(key: "name", value: "sessproxy"),
                    JSONMember(key: "version", value: .string(creatorVersion)),
                ])),
                JSONMember(key: "pages", value: .array([])),
                JSONMember(key: "entries", value: .array(entries)),
            ])),
        ])
    }

    /// One `log.entries[]` item.
    public static func entry(_ exchange: RecordedExchange) -> JSONValue {
        let milliseconds = JSONValue.number(exchange.durationMilliseconds(decimals: 3))
        return .object([
            JSONMember(key: "startedDateTime", value: .string(Timestamp.format(exchange.startedAt))),
            JSONMember(key: "time", value: milliseconds),
            JSONMember(key: "request", value: request(exchange)),
            JSONMember(key: "response", value: response(exchange)),
            JSONMember(key: "cache", value: .object([])),
            JSONMember(key: "timings", value: .object([
                JSONMember(key: "blocked", value: -1),
                JSONMember(key: "dns", value: -1),
                JSONMember(key: "connect", value: -1),
                JSONMember(key: "ssl", value: -1),
                JSONMember(key: "send", value: 0),
                JSONMember(key: "wait", value: milliseconds),
                JSONMember(key: "receive", value: 0),
            ])),
            JSONMember(key: "_sessproxy", value: .object([
                JSONMember(key: "exchange_id", value: exchange.id.map { .number(String($0)) } ?? .null),
                JSONMember(key: "operation", value: .string(exchange.operation.rawValue)),
                JSONMember(key: "session_id", value: exchange.sessionID.map { .string($0) } ?? .null),
                JSONMember(key: "original_encoding", value: exchange.responseEncoding.map { .string($0) } ?? .null),
                JSONMember(key: "redactions", value: .array(exchange.redactions.map { .string($0) })),
                JSONMember(key: "proxy_error", value: exchange.proxyError.map { .string($0) } ?? .null),
            ])),
        ])
    }

    private static func request(_ exchange: RecordedExchange) -> JSONValue {
        var members = [
            JSONMember(key: "method", value: .string(exchange.method)),
            JSONMember(key: "url", value: .string(exchange.upstream + exchange.target)),
            JSONMember(key: "httpVersion", value: "HTTP/1.1"),
            JSONMember(key: "cookies", value: .array([])),
            JSONMember(key: "headers", value: headers(exchange.requestHeaders)),
            JSONMember(key: "queryString", value: queryString(exchange.target)),
            JSONMember(key: "headersSize", value: -1),
            JSONMember(key: "bodySize", value: .number(String(exchange.requestBody.count))),
        ]
        if !exchange.requestBody.isEmpty {
            var postData = [JSONMember(key: "mimeType", value: .string(mimeType(exchange.requestHeaders, body: exchange.requestBody)))]
            postData += text(exchange.requestBody, encodingKey: "_encoding")
            members.append(JSONMember(key: "postData", value: .object(postData)))
        }
        return .object(members)
    }

    private static func response(_ exchange: RecordedExchange) -> JSONValue {
        var content = [
            JSONMember(key: "size", value: .number(String(exchange.responseBody.count))),
            JSONMember(key: "mimeType", value: .string(mimeType(exchange.responseHeaders, body: exchange.responseBody))),
        ]
        if !exchange.responseBody.isEmpty { content += text(exchange.responseBody, encodingKey: "encoding") }
        return .object([
            JSONMember(key: "status", value: .number(String(exchange.status))),
            JSONMember(key: "statusText", value: .string(HARStatusText.text(for: exchange.status))),
            JSONMember(key: "httpVersion", value: "HTTP/1.1"),
            JSONMember(key: "cookies", value: .array([])),
            JSONMember(key: "headers", value: headers(exchange.responseHeaders)),
            JSONMember(key: "content", value: .object(content)),
            JSONMember(key: "redirectURL", value: ""),
            JSONMember(key: "headersSize", value: -1),
            JSONMember(key: "bodySize", value: .number(String(exchange.responseBody.count))),
        ])
    }

    private static func headers(_ fields: [HeaderField]) -> JSONValue {
        .array(fields.map { .object([JSONMember(key: "name", value: .string($0.name)), JSONMember(key: "value", value: .string($0.value))]) })
    }

    private static func queryString(_ target: String) -> JSONValue {
        guard let question = target.firstIndex(of: "?") else { return .array([]) }
        var query = target[target.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        let pairs = query.split(separator: "&").map { pair -> JSONValue in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            // Decoded as browsers' devtools show them: a `+` in a query is a space.
            let name = PercentEncoding.decode(String(parts[0]), plusIsSpace: true)
            let value = parts.count > 1 ? PercentEncoding.decode(String(parts[1]), plusIsSpace: true) : ""
            return .object([JSONMember(key: "name", value: .string(name)), JSONMember(key: "value", value: .string(value))])
        }
        return .array(pairs)
    }

    private static func mimeType(_ headers: [HeaderField], body: [UInt8]) -> String {
        headers.value(of: "Content-Type") ?? (body.isEmpty ? "" : "application/octet-stream")
    }

    /// `text` as UTF-8, or base64 with the encoding noted when the bytes are not text.
    private static func text(_ body: [UInt8], encodingKey: String) -> [JSONMember] {
        if let text = String(validating: body, as: UTF8.self) { return [JSONMember(key: "text", value: .string(text))] }
        return [
            JSONMember(key: "text", value: .string(Data(body).base64EncodedString())),
            JSONMember(key: encodingKey, value: "base64"),
        ]
    }

    // MARK: Import

    /// Reads a HAR file's bytes into exchanges (classified, not yet redacted).
    public static func exchanges(fromHAR bytes: [UInt8]) throws(HARError) -> HARImportResult {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch { throw HARError("not JSON: \(error.description)") }
        return try exchanges(fromHAR: json)
    }

    public static func exchanges(fromHAR json: JSONValue) throws(HARError) -> HARImportResult {
        guard let log = json["log"], log.objectMembers != nil else { throw HARError("no log object") }
        guard let entries = log["entries"]?.arrayValue else { throw HARError("no log.entries array") }
        var exchanges: [RecordedExchange] = []
        var skipped = 0
        for (index, entry) in entries.enumerated() {
            if let exchange = try exchange(fromEntry: entry, index: index) {
                exchanges.append(exchange)
            } else {
                skipped += 1
            }
        }
        return HARImportResult(exchanges: exchanges, skippedEntries: skipped)
    }

    /// A byte of an HTTP token: letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }

    /// Nil for an entry without a response (status 0: cancelled, blocked, failed).
    static func exchange(fromEntry entry: JSONValue, index: Int) throws(HARError) -> RecordedExchange? {
        func fail(_ reason: String) -> HARError { HARError("entry \(index): \(reason)") }
        guard entry.objectMembers != nil else { throw fail("not an object") }
        guard let request = entry["request"], request.objectMembers != nil else { throw fail("no request") }
        guard let response = entry["response"], response.objectMembers != nil else { throw fail("no response") }
        guard let method = request["method"]?.stringValue, !method.isEmpty else { throw fail("request.method missing") }
        // A token (RFC 9110 §5.6.2), as the server would have required of it: anything else could
        // never have been sent, and replay could never match it.
        guard method.utf8.allSatisfy(Self.isTokenByte) else { throw fail("request.method \(JSONSerializer.string(.string(method))) is not an HTTP method") }
        guard let url = request["url"]?.stringValue else { throw fail("request.url missing") }
        guard let parts = split(url: url) else { throw fail("request.url is not an absolute http(s) URL") }
        let (upstream, target) = parts
        guard let figure = number(response["status"]) else { throw fail("response.status missing") }
        guard let status = Int(exactly: figure), status <= 999 else {
            throw fail("response.status \(response["status"].map { JSONSerializer.string($0) } ?? "") is not an HTTP status")
        }
        if status < 100 { return nil }

        let startedText = entry["startedDateTime"]?.stringValue ?? ""
        guard let startedAt = Timestamp.parse(startedText) else { throw fail("startedDateTime is not an ISO 8601 time") }
        let requestHeaders = try headers(request["headers"], what: "request.headers", fail: fail)
        let responseHeaders = try headers(response["headers"], what: "response.headers", fail: fail)
        let requestBody = try requestBody(request["postData"], fail: fail)
        let responseBody = try responseBody(response["content"], fail: fail)

        let route = KlarnaRouteClassifier.classify(method: method, target: target)
        let extras = entry["_sessproxy"]
        var exchange = RecordedExchange(
            startedAt: startedAt,
            durationMicros: durationMicros(entry),
            method: method.uppercased(),
            target: target,
            operation: route.operation,
            sessionID: route.sessionID,
            upstream: upstream,
            requestHeaders: HeaderPolicy.forwardedRequestHeaders(requestHeaders),
            requestBody: requestBody,
            status: status,
            responseHeaders: [],
            responseBody: [],
            redactions: extras?["redactions"]?.arrayValue?.compactMap(\.stringValue) ?? []
        )
        // The row holds the answer as record mode stores one: the encoding named by the
        // export (the body in a HAR is already decoded) or else the answer's own header.
        exchange.recordUpstreamAnswer(
            status: status, headers: HeaderPolicy.forwardedResponseHeaders(responseHeaders), decodedBody: responseBody,
            encoding: extras?["original_encoding"]?.stringValue ?? responseHeaders.value(of: "Content-Encoding"))
        exchange.proxyError = extras?["proxy_error"]?.stringValue
        return exchange
    }

    /// `https://host:port/path?query#fragment` → (`https://host:port`, `/path?query`).
    static func split(url: String) -> (upstream: String, target: String)? {
        guard let separator = url.range(of: "://") else { return nil }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard !authority.isEmpty, !authority.contains(where: { $0 == " " }) else { return nil }
        var target = String(rest[authorityEnd...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        return ("\(scheme)://\(authority)", target)
    }

    /// Name/value pairs; HTTP/2 pseudo-headers (`:authority`, `:path`) are not headers of the exchange.
    private static func headers(_ value: JSONValue?, what: String, fail: (String) -> HARError) throws(HARError) -> [HeaderField] {
        guard let value else { return [] }
        guard let items = value.arrayValue else { throw fail("\(what) is not an array") }
        var fields: [HeaderField] = []
        for item in items {
            guard let name = item["name"]?.stringValue, let headerValue = item["value"]?.stringValue else {
                throw fail("\(what) item without name and value")
            }
            if name.hasPrefix(":") { continue }
            fields.append(HeaderField(name: name, value: headerValue))
        }
        return fields
    }

    private static func requestBody(_ postData: JSONValue?, fail: (String) -> HARError) throws(HARError) -> [UInt8] {
        guard let postData, postData.objectMembers != nil else { return [] }
        if let text = postData["text"]?.stringValue {
            let encoding = postData["encoding"]?.stringValue ?? postData["_encoding"]?.stringValue
            return try decode(text, encoding: encoding, what: "request.postData.text", fail: fail)
        }
        guard let params = postData["params"]?.arrayValue else { return [] }
        let form = params.compactMap { param -> String? in
            guard let name = param["name"]?.stringValue else { return nil }
            let value = param["value"]?.stringValue ?? ""
            return formEncode(name) + "=" + formEncode(value)
        }
        return Array(form.joined(separator: "&").utf8)
    }

    private static func responseBody(_ content: JSONValue?, fail: (String) -> HARError) throws(HARError) -> [UInt8] {
        guard let content, let text = content["text"]?.stringValue else { return [] }
        return try decode(text, encoding: content["encoding"]?.stringValue, what: "response.content.text", fail: fail)
    }

    private static func decode(_ text: String, encoding: String?, what: String, fail: (String) -> HARError) throws(HARError) -> [UInt8] {
        // Some tools name the text's own encoding: it is a string in the document either way.
        guard let encoding, !["", "utf-8", "utf8"].contains(encoding.lowercased()) else { return Array(text.utf8) }
        guard encoding.lowercased() == "base64" else { throw fail("\(what) has unsupported encoding '\(encoding)'") }
        // Line breaks (as some tools wrap base64) are not data; any other stray byte means the
        // text is not what it says, and would be stored as garbage.
        let joined = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: joined) else { throw fail("\(what) is not valid base64") }
        return Array(data)
    }

    private static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `time` when present, else the sum of the non-negative timings.
    private static func durationMicros(_ entry: JSONValue) -> Int64 {
        if let time = number(entry["time"]), time >= 0, let micros = micros(ofMilliseconds: time) { return micros }
        guard let timings = entry["timings"]?.objectMembers else { return 0 }
        let total = timings.compactMap { number($0.value) }.filter { $0 > 0 }.reduce(0, +)
        return micros(ofMilliseconds: total) ?? 0
    }

    /// Nil for a figure no duration can have (beyond `Int64` microseconds, or not finite).
    private static func micros(ofMilliseconds milliseconds: Double) -> Int64? {
        Int64(exactly: (milliseconds * 1000).rounded())
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .number(let lexeme): return Double(lexeme)
        case .string(let text): return Double(text)
        default: return nil
        }
    }
}
