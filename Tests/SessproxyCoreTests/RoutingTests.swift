import Testing
@testable import SessproxyCore

@Suite struct RoutingTests {
    @Test(arguments: [
        ("POST", "/payments/v1/sessions", KlarnaOperation.create, nil as String?),
        ("POST", "/payments/v1/sessions/", .create, nil),
        ("GET", "/payments/v1/sessions/abc-123", .read, "abc-123"),
        ("GET", "/payments/v1/sessions/abc-123?x=1", .read, "abc-123"),
        ("POST", "/payments/v1/sessions/abc-123", .update, "abc-123"),
        ("DELETE", "/payments/v1/sessions/abc-123", .other, "abc-123"),
        ("POST", "/payments/v1/authorizations/tok/order", .other, nil),
        ("GET", "/payments/v1/sessions", .other, nil),
        ("GET", "/payments/v1/sessions/a/b", .other, nil),
        // Escapes decode; malformed ones stay as they are, with nothing after them lost.
        ("GET", "/payments/v1/sessions/caf%C3%A9", .read, "caf\u{E9}"),
        ("GET", "/payments/v1/sessions/abc%zzdef", .read, "abc%zzdef"),
        ("GET", "/payments/v1/sessions/a%4", .read, "a%4"),
        ("GET", "/payments/v1/sessions/x%+Ay", .read, "x%+Ay"),
    ])
    func classifies(method: String, target: String, operation: KlarnaOperation, session: String?) {
        let route = KlarnaRouteClassifier.classify(method: method, target: target)
        #expect(route.operation == operation)
        #expect(route.sessionID == session)
    }

    @Test(arguments: [
        ("/payments/v1/sessions", "/payments/v1/sessions"),
        ("/payments/v1/sessions/abc?x=1#y", "/payments/v1/sessions/abc"),
        ("/payments/v1/sessions/abc#frag?not-a-query", "/payments/v1/sessions/abc"),
        ("/p/caf\u{E9}/\u{1F600}?q=\u{E9}", "/p/caf\u{E9}/\u{1F600}"),
        // A combining mark after `?` makes one character of the two; the query still starts there.
        ("/p?\u{301}x", "/p"),
        ("?only-a-query", ""),
    ])
    func pathEndsAtTheFirstQuestionMarkOrHash(target: String, path: String) {
        #expect(KlarnaRouteClassifier.pathOnly(target) == path)
    }

    @Test func createSessionIDComesFromTheResponseBody() {
        #expect(KlarnaRouteClassifier.sessionID(fromCreateResponse: Array(#"{"session_id":"s-1","client_token":"t"}"#.utf8)) == "s-1")
        #expect(KlarnaRouteClassifier.sessionID(fromCreateResponse: Array("<html>".utf8)) == nil)
    }

    @Test func parsesUpstreamEndpoints() throws {
        let klarna = try UpstreamEndpoint(parsing: "https://api.playground.klarna.com/")
        #expect(klarna.port == 443 && klarna.hostHeader == "api.playground.klarna.com" && klarna.basePath == "")
        #expect(klarna.description == "https://api.playground.klarna.com")
        let local = try UpstreamEndpoint(parsing: "http://127.0.0.1:8089/base")
        #expect(local.hostHeader == "127.0.0.1:8089" && local.description == "http://127.0.0.1:8089/base")
        #expect(try UpstreamEndpoint(parsing: "http://[::1]:8089").hostHeader == "[::1]:8089")
        #expect(try UpstreamEndpoint(parsing: "http://klarna_mock.internal").host == "klarna_mock.internal")
        for bad in [
            "ftp://x", "api.klarna.com", "https://", "http://h:99999", "https://u:p@h", "http://h/?q", "http://exa mple.com",
            "http://example.com/a b", "http://exa\tmple.com", "http://exa!mple.com", "http://[::1%en0 x]:80",
        ] {
            #expect(throws: UpstreamEndpoint.ParseError.self) { try UpstreamEndpoint(parsing: bad) }
        }
    }

    @Test func parsesListenAddresses() throws {
        #expect(try ListenAddress(parsing: "0.0.0.0:0") == ListenAddress(host: "0.0.0.0", port: 0))
        #expect(try ListenAddress(parsing: "[::1]:8080").host == "::1")
        #expect(try ListenAddress(parsing: "[::1]:0").bound(to: 41234).description == "[::1]:41234")
        #expect(try ListenAddress(parsing: "localhost:0").bound(to: 41234).description == "localhost:41234")
        for bad in ["8080", "[::1:8080", "::1]:8080", "[[::1]]:8080", "local host:8080", ":8080", "h:65536"] {
            #expect(throws: ListenAddress.ParseError.self, "\(bad)") { try ListenAddress(parsing: bad) }
        }
    }
}
