import Foundation
import Testing
@testable import SessproxyCore

@Suite struct HARDocumentTests {
    static let exchanges: [RecordedExchange] = [
        RecordedExchange(
            id: 1, startedAt: Date(timeIntervalSince1970: 1_700_000_000.25), durationMicros: 123_456, method: "POST",
            target: "/payments/v1/sessions", operation: .create, sessionID: "3f9c2a1e", upstream: "https://api.playground.klarna.com",
            requestHeaders: [
                HeaderField(name: "Authorization", value: "Basic redacted:0123456789abcdef"),
                HeaderField(name: "Content-Type", value: "application/json"),
            ],
            requestBody: Array(#"{"purchase_country":"GB","order_amount":16697}"#.utf8), status: 200,
            responseHeaders: [HeaderField(name: "Content-Type", value: "application/json;charset=utf-8")],
            responseBody: Array(#"{"session_id":"3f9c2a1e","client_token":"redacted:aaaaaaaaaaaaaaaa"}"#.utf8),
            responseEncoding: "gzip", redactions: ["request.header.authorization", "response.body.client_token"]),
        RecordedExchange(
            id: 2, startedAt: Date(timeIntervalSince1970: 1_700_000_001), durationMicros: 2_000, method: "POST",
            target: "/payments/v1/sessions/3f9c2a1e", operation: .update, sessionID: "3f9c2a1e", upstream: "https://api.playground.klarna.com",
            requestHeaders: [HeaderField(name: "Content-Type", value: "application/json")],
            requestBody: Array(#"{"order_amount":100}"#.utf8), status: 204, responseHeaders: [], responseBody: []),
        RecordedExchange(
            id: 3, startedAt: Date(timeIntervalSince1970: 1_700_000_002), durationMicros: 3_000, method: "GET",
            target: "/payments/v1/sessions/3f9c2a1e?expand=x&q=a%20b", operation: .read, sessionID: "3f9c2a1e",
            upstream: "http://127.0.0.1:9090", requestHeaders: [], requestBody: [], status: 404,
            responseHeaders: [HeaderField(name: "Content-Type", value: "application/octet-stream")],
            responseBody: [0xFF, 0x00, 0x81, 0x7F]),
    ]

    @Test func roundTripPreservesTheExchange() throws {
        let document = HARDocument.document(for: Self.exchanges, creatorVersion: "0.1.0")
        let text = JSONSerializer.bytes(document, style: .pretty)
        let result = try HARDocument.exchanges(fromHAR: text)
        #expect(result.skippedEntries == 0)
        #expect(result.exchanges.count == Self.exchanges.count)
        for (back, original) in zip(result.exchanges, Self.exchanges) {
            #expect(back.method == original.method)
            #expect(back.target == original.target)
            #expect(back.upstream == original.upstream)
            #expect(back.status == original.status)
            #expect(back.requestHeaders == original.requestHeaders)
            #expect(back.responseHeaders == original.responseHeaders)
            #expect(back.requestBody == original.requestBody)
            #expect(back.responseBody == original.responseBody)
            #expect(back.operation == original.operation)
            #expect(back.sessionID == original.sessionID)
            #expect(back.durationMicros == original.durationMicros)
            #expect(abs(back.startedAt.timeIntervalSince(original.startedAt)) < 0.001)
            #expect(back.redactions == original.redactions)
            #expect(back.responseEncoding == original.responseEncoding)
            #expect(back.id == nil)
        }
    }

    @Test func exportHasTheHAR12Shape() throws {
        let document = HARDocument.document(for: Self.exchanges, creatorVersion: "9.9")
        let log = try #require(document["log"])
        #expect(log["version"] == "1.2")
        #expect(log["creator"]?["name"] == "sessproxy")
        #expect(log["creator"]?["version"] == "9.9")
        let entry = try #require(log["entries"]?[0])
        #expect(entry["request"]?["url"] == "https://api.playground.klarna.com/payments/v1/sessions")
        #expect(entry["request"]?["httpVersion"] == "HTTP/1.1")
        #expect(entry["request"]?["postData"]?["mimeType"] == "application/json")
        #expect(entry["request"]?["headersSize"] == -1)
        #expect(entry["response"]?["statusText"] == "OK")
        #expect(entry["response"]?["content"]?["text"]?.stringValue?.contains("session_id") == true)
        #expect(entry["response"]?["redirectURL"] == "")
        #expect(entry["time"] == .number("123.456"))
        #expect(entry["timings"]?["wait"] == .number("123.456"))
        #expect(entry["cache"] == .object([]))
        let read = try #require(log["entries"]?[2])
        #expect(read["request"]?["postData"] == nil)
        #expect(read["request"]?["queryString"]?[1]?["value"] == "a b")
        #expect(read["response"]?["content"]?["encoding"] == "base64")
    }

    static let devtoolsHAR = #"""
        {"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],
         "entries":[
          {"startedDateTime":"2024-11-20T17:05:12.345+01:00","time":87.5,
           "request":{"method":"POST","url":"https://api.playground.klarna.com/payments/v1/sessions#frag","httpVersion":"http/2.0",
             "headers":[{"name":":authority","value":"api.playground.klarna.com"},{"name":"content-type","value":"application/json"},
               {"name":"Host","value":"api.playground.klarna.com"},{"name":"Content-Length","value":"25"},{"name":"Connection","value":"keep-alive"}],
             "queryString":[],"cookies":[],"headersSize":-1,"bodySize":25,
             "postData":{"mimeType":"application/json","text":"{\"purchase_country\":\"SE\"}"}},
           "response":{"status":200,"statusText":"","httpVersion":"http/2.0",
             "headers":[{"name":"content-type","value":"application/json"},{"name":"content-encoding","value":"gzip"},{"name":"content-length","value":"40"}],
             "cookies":[],"content":{"size":52,"mimeType":"application/json","encoding":"base64",
               "text":"eyJzZXNzaW9uX2lkIjoic2Vzcy0xIiwiY2xpZW50X3Rva2VuIjoiZXlKLmEuYiJ9"},
             "redirectURL":"","headersSize":-1,"bodySize":40},
           "cache":{},"timings":{"blocked":-1,"dns":-1,"ssl":-1,"connect":-1,"send":0.1,"wait":80,"receive":7.4}},
          {"startedDateTime":"2024-11-20T16:05:13Z","time":-1,
           "request":{"method":"GET","url":"https://api.playground.klarna.com/payments/v1/sessions/sess-1","httpVersion":"http/2.0","headers":[],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0},
           "response":{"status":0,"statusText":"","httpVersion":"","headers":[],"cookies":[],"content":{"size":0,"mimeType":"x-unknown"},"redirectURL":"","headersSize":-1,"bodySize":-1},
           "cache":{},"timings":{"send":0,"wait":0,"receive":0}}
         ]}}
        """#

    @Test func readsADevtoolsHARWithBase64Content() throws {
        let result = try HARDocument.exchanges(fromHAR: Array(Self.devtoolsHAR.utf8))
        #expect(result.skippedEntries == 1)
        let exchange = try #require(result.exchanges.first)
        #expect(result.exchanges.count == 1)
        #expect(exchange.method == "POST")
        #expect(exchange.target == "/payments/v1/sessions")
        #expect(exchange.upstream == "https://api.playground.klarna.com")
        #expect(exchange.operation == .create)
        #expect(exchange.sessionID == "sess-1")
        #expect(exchange.status == 200)
        #expect(exchange.requestHeaders == [HeaderField(name: "content-type", value: "application/json")])
        #expect(exchange.responseHeaders.value(of: "content-length") == nil)
        #expect(exchange.responseEncoding == "gzip")
        #expect(String(decoding: exchange.responseBody, as: UTF8.self) == #"{"session_id":"sess-1","client_token":"eyJ.a.b"}"#)
        #expect(String(decoding: exchange.requestBody, as: UTF8.self) == #"{"purchase_country":"SE"}"#)
        #expect(exchange.durationMicros == 87_500)
        #expect(exchange.startedAt == Date(timeIntervalSince1970: 1_732_118_712.345))
    }

    @Test func rejectsWhatIsNotAHAR() {
        #expect(throws: HARError.self) { try HARDocument.exchanges(fromHAR: Array("not json".utf8)) }
        #expect(throws: HARError("no log.entries array")) { try HARDocument.exchanges(fromHAR: Array(#"{"log":{}}"#.utf8)) }
        #expect(throws: HARError("entry 0: request.url is not an absolute http(s) URL")) {
            try HARDocument.exchanges(fromHAR: Array(
                #"{"log":{"entries":[{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"/relative"},"response":{"status":200}}]}}"#.utf8))
        }
        #expect(throws: HARError(#"entry 0: request.method "GE T" is not an HTTP method"#)) {
            try HARDocument.exchanges(fromHAR: Array(
                #"{"log":{"entries":[{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GE T","url":"https://x/y"},"response":{"status":200}}]}}"#.utf8))
        }
    }

    /// A body's `encoding` is base64 or the text's own; base64 that is not base64 is refused,
    /// not stored as garbage.
    @Test func bodyEncodingsAreReadStrictly() throws {
        func entry(_ content: String) -> [UInt8] {
            Array(#"{"log":{"entries":[{"startedDateTime":"2024-01-01T00:00:00Z","request":{"method":"GET","url":"https://x/y?name=Jane+Doe"},"response":{"status":200,"content":\#(content)}}]}}"#.utf8)
        }
        let wrapped = try HARDocument.exchanges(fromHAR: entry(#"{"text":"eyJh\nIjoxfQ==","encoding":"base64"}"#)).exchanges[0]
        #expect(wrapped.responseBody == Array(#"{"a":1}"#.utf8))
        let named = try HARDocument.exchanges(fromHAR: entry(#"{"text":"{\"a\":1}","encoding":"utf-8"}"#)).exchanges[0]
        #expect(named.responseBody == Array(#"{"a":1}"#.utf8))
        #expect(throws: HARError("entry 0: response.content.text is not valid base64")) {
            try HARDocument.exchanges(fromHAR: entry(#"{"text":"!!not base64!!","encoding":"base64"}"#))
        }
        let exported = HARDocument.entry(named)
        #expect(exported["request"]?["queryString"]?[0]?["value"]?.stringValue == "Jane Doe")
    }

    @Test func splitsURLsIntoUpstreamAndTarget() {
        #expect(HARDocument.split(url: "http://user:pw@localhost:8080?x=1")! == ("http://localhost:8080", "/?x=1"))
        #expect(HARDocument.split(url: "HTTPS://api.klarna.com/payments/v1/sessions/abc?a=b#c")! == ("https://api.klarna.com", "/payments/v1/sessions/abc?a=b"))
        #expect(HARDocument.split(url: "ftp://x/y") == nil)
    }
}
