import Testing
@testable import SessproxyCore

/// One header policy for every path a header takes through sessproxy.
@Suite struct HeaderPolicyTests {
    func names(_ headers: [HeaderField]) -> [String] { headers.map(\.name) }

    @Test func requestsLoseHopByHopHostFramingAndWhatConnectionNames() {
        let headers = [
            HeaderField(name: "Host", value: "127.0.0.1:8080"), HeaderField(name: "Connection", value: "keep-alive, X-Trace"),
            HeaderField(name: "X-Trace", value: "1"), HeaderField(name: "Keep-Alive", value: "timeout=5"),
            HeaderField(name: "Content-Length", value: "12"), HeaderField(name: "TE", value: "trailers"),
            HeaderField(name: "Authorization", value: "Basic x"), HeaderField(name: "Content-Type", value: "application/json"),
            HeaderField(name: "Expect", value: "100-continue"),
        ]
        #expect(names(HeaderPolicy.forwardedRequestHeaders(headers)) == ["Authorization", "Content-Type"])
    }

    @Test func answersLoseHopByHopAndFramingAndReplayAlsoTheEncoding() {
        let headers = [
            HeaderField(name: "Content-Type", value: "application/json"), HeaderField(name: "Transfer-Encoding", value: "chunked"),
            HeaderField(name: "Content-Length", value: "9"), HeaderField(name: "Content-Encoding", value: "gzip"),
            HeaderField(name: "Klarna-Correlation-Id", value: "c"), HeaderField(name: "Sessproxy-Replay", value: "3"),
        ]
        #expect(names(HeaderPolicy.forwardedResponseHeaders(headers)) == ["Content-Type", "Content-Encoding", "Klarna-Correlation-Id", "Sessproxy-Replay"])
        #expect(names(HeaderPolicy.replayedResponseHeaders(headers)) == ["Content-Type", "Klarna-Correlation-Id"])
    }

    @Test func errorAnswersCarryTheCorrelationIdTwice() {
        let error = KlarnaErrorBody(errorCode: "X", errorMessages: [], correlationID: "c-1")
        #expect(error.answerHeaders().value(of: "Klarna-Correlation-Id") == "c-1")
        #expect(error.answerHeaders().value(of: "Content-Type") == "application/json")
    }

    /// What goes into a row: a successful create names its session, a refused one none; the
    /// encoding is kept lower-case (identity is no encoding); sessproxy's own answers say so.
    @Test func rowContentsOfAnAnswer() {
        var exchange = ReplayFixture.exchange(1, "POST", "/payments/v1/sessions", body: "{}")
        exchange.recordUpstreamAnswer(status: 200, headers: [], decodedBody: Array(#"{"session_id":"s-9"}"#.utf8), encoding: "GZIP")
        #expect(exchange.sessionID == "s-9" && exchange.responseEncoding == "gzip" && exchange.proxyError == nil)
        exchange.sessionID = nil
        exchange.recordUpstreamAnswer(status: 400, headers: [], decodedBody: Array(#"{"session_id":"s-9"}"#.utf8), encoding: "identity")
        #expect(exchange.sessionID == nil && exchange.responseEncoding == nil)
        let error = KlarnaErrorBody(errorCode: SessproxyErrorCode.upstreamTimeout, errorMessages: ["slow"])
        exchange.recordOwnAnswer(status: 504, headers: error.answerHeaders(), error: error)
        #expect(exchange.status == 504 && exchange.proxyError == SessproxyErrorCode.upstreamTimeout && exchange.responseBody == error.bytes)
    }

    /// The `Via` entry sessproxy adds, and the test for a request that came back to it.
    @Test func aRequestCarryingThisProcesssViaEntryIsALoop() {
        let mark = ForwardingMark(token: "sessproxy-1f")
        #expect(mark.viaValue == "1.1 sessproxy-1f")
        #expect(mark.isCarried(by: [HeaderField(name: "Via", value: "1.1 sessproxy-1f")]))
        #expect(mark.isCarried(by: [HeaderField(name: "via", value: "1.0 fred, 1.1 sessproxy-1f (sessproxy)")]))
        #expect(mark.isCarried(by: [HeaderField(name: "X-A", value: "1"), HeaderField(name: "VIA", value: "HTTP/1.1   sessproxy-1f")]))
        #expect(!mark.isCarried(by: [HeaderField(name: "Via", value: "1.1 sessproxy-1f0")]), "another process's mark")
        #expect(!mark.isCarried(by: [HeaderField(name: "X-Via", value: "1.1 sessproxy-1f")]))
        #expect(!mark.isCarried(by: [HeaderField(name: "Via", value: "sessproxy-1f")]), "a received-by needs its protocol first")
        #expect(ForwardingMark.random().token.hasPrefix("sessproxy-"))
        #expect(ForwardingMark.random() != ForwardingMark.random(), "each stack its own")
    }

    /// An upstream that is, by its address, the listener itself.
    @Test(arguments: [
        ("127.0.0.1:8080", "http://127.0.0.1:8080", true), ("127.0.0.1:8080", "http://localhost:8080", true),
        ("localhost:8080", "http://127.0.0.1:8080", true), ("0.0.0.0:8080", "http://127.0.0.2:8080", true),
        ("[::1]:8080", "http://[::1]:8080", true), ("[::]:8080", "http://[::1]:8080", true), ("LOCALHOST:8080", "http://localhost:8080", true),
        // Separate sockets on Linux: not the listener.
        ("127.0.0.1:8080", "http://127.0.0.2:8080", false), ("[::1]:8080", "http://127.0.0.1:8080", false),
        ("0.0.0.0:8080", "http://[::1]:8080", false), ("localhost:8080", "http://127.0.0.2:8080", false),
        ("127.0.0.1:8080", "http://127.0.0.1:8081", false), ("127.0.0.1:8080", "https://127.0.0.1:8080", false),
        ("10.0.0.5:8080", "http://127.0.0.1:8080", false), ("0.0.0.0:443", "https://api.playground.klarna.com", false),
    ])
    func anUpstreamAtTheListenAddressIsTheListenerItself(_ listen: String, _ upstream: String, _ expected: Bool) throws {
        #expect(try ListenAddress(parsing: listen).isReached(by: try UpstreamEndpoint(parsing: upstream)) == expected)
    }
}

/// The upstream is asked only for codings whose answers the cassette can store decoded.
@Suite struct AcceptEncodingTests {
    @Test(arguments: [
        ("gzip, deflate, br", "gzip, deflate"),
        ("br;q=1.0, gzip;q=0.8, zstd", "gzip;q=0.8"),
        ("br", "identity"),
        ("br, zstd", "identity"),
        ("*", "gzip, deflate"),
        ("br;q=1, *;q=0", "gzip;q=0, deflate;q=0"),
        ("identity", "identity"),
    ])
    func undecodableCodingsAreNotAskedFor(value: String, forwarded: String) {
        let headers = HeaderPolicy.forwardedRequestHeaders([HeaderField(name: "Accept-Encoding", value: value), HeaderField(name: "Accept", value: "*/*")])
        #expect(headers.value(of: "Accept-Encoding") == forwarded)
        #expect(headers.value(of: "Accept") == "*/*")
    }
}
