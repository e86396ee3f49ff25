import Foundation
import Testing

@testable import SessproxyCore

/// The inspector's decisions without a server: who may see it, what a filter keeps, what a
/// detail says in Klarna terms, and the cURL line a user copies.
@Suite struct InspectorCoreTests {
    typealias F = ReplayFixture
    let access = InspectorAccess(token: "0123456789abcdef0123", listen: ListenAddress(host: "127.0.0.1", port: 8080))

    @Test func theTokenOpensThePageOnceThenTheCookieCarriesIt() {
        let first = access.check(host: "127.0.0.1:8080", queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil)
        #expect(first == .allowed(setCookie: access.cookie))
        #expect(access.cookie.contains("HttpOnly") && access.cookie.contains("SameSite=Strict") && access.cookie.contains("Path=/__sessproxy/"))
        let later = access.check(
            host: "localhost:8080", queryToken: nil, cookieHeader: "a=b; \(access.cookieName)=0123456789abcdef0123", authorization: nil)
        #expect(later == .allowed(setCookie: nil))
        // Another start's cookie, sent alongside, changes nothing.
        let other = InspectorAccess(token: "fedcba9876543210fedc", listen: ListenAddress(host: "127.0.0.1", port: 8081))
        #expect(other.cookieName != access.cookieName && access.cookieName.hasPrefix("sessproxy_ui_"))
        let both = "\(other.cookieName)=fedcba9876543210fedc; \(access.cookieName)=0123456789abcdef0123"
        #expect(access.check(host: "127.0.0.1:8080", queryToken: nil, cookieHeader: both, authorization: nil) == .allowed(setCookie: nil))
        #expect(other.check(host: "127.0.0.1:8081", queryToken: nil, cookieHeader: both, authorization: nil) == .allowed(setCookie: nil))
        #expect(access.check(host: "127.0.0.1:8080", queryToken: nil, cookieHeader: nil, authorization: "Bearer 0123456789abcdef0123")
            == .allowed(setCookie: nil))
    }

    @Test(arguments: [
        (String?.none, String?.none, String?.none),
        ("wrong-token-wrong-token", nil, nil),
        (nil, "sessproxy_ui=0123456789abcdef0123", nil),
        (nil, nil, "Bearer 0123456789abcdef012"),
        (nil, nil, "Basic 0123456789abcdef0123"),
    ])
    func withoutTheTokenNothing(query: String?, cookie: String?, authorization: String?) {
        #expect(access.check(host: "127.0.0.1:8080", queryToken: query, cookieHeader: cookie, authorization: authorization) == .unauthorized)
    }

    /// DNS rebinding: a page elsewhere that resolves its own name to 127.0.0.1 sends its own Host.
    @Test(arguments: ["evil.example:8080", "127.0.0.1:9090", "127.0.0.1", ""])
    func aForeignHostIsRefusedEvenWithTheToken(host: String) {
        #expect(access.check(host: host, queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) == .wrongHost)
        #expect(access.check(host: nil, queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) == .wrongHost)
    }

    @Test func listeningOnAllInterfacesAcceptsAddressesButNotNames() {
        let wide = InspectorAccess(token: "0123456789abcdef0123", listen: ListenAddress(host: "0.0.0.0", port: 8080))
        #expect(wide.check(host: "10.1.2.3:8080", queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) != .wrongHost)
        #expect(wide.check(host: "staging.example:8080", queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) == .wrongHost)
        #expect(wide.check(host: "[fe80::1]:8080", queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) != .wrongHost)
        // Names that happen to be hex digits and dots are names, and odd spellings are nothing.
        for host in ["deadbeef.cafe:8080", "fade.cafe:8080", "::::8080", "[...]:8080", "1.2.3.4.5:8080", "256.1.1.1:8080", "[g::1]:8080"] {
            #expect(wide.check(host: host, queryToken: "0123456789abcdef0123", cookieHeader: nil, authorization: nil) == .wrongHost, "\(host)")
        }
        #expect(InspectorAccess.pageURL(listen: ListenAddress(host: "0.0.0.0", port: 8080), port: 8080, token: "t")
            == "http://127.0.0.1:8080/__sessproxy/ui/?token=t")
        #expect(InspectorAccess.pageURL(listen: try! ListenAddress(parsing: "[::1]:0"), port: 8081, token: "t")
            == "http://[::1]:8081/__sessproxy/ui/?token=t")
        #expect(InspectorAccess.pageURL(listen: ListenAddress(host: "::", port: 8080), port: 8080, token: "t")
            == "http://[::1]:8080/__sessproxy/ui/?token=t")
        #expect(InspectorAccess.randomToken().count == 32 && InspectorAccess.randomToken() != InspectorAccess.randomToken())
    }

    @Test func filtersComposeFromQueryParameters() throws {
        let failed = F.update(3, session: "A", body: F.cart(quantity: 2), status: 400, response: #"{"error_code":"BAD_VALUE","error_messages":["Bad value: order_amount"]}"#)
        let created = F.create(1, session: "A")
        let filter = try ExchangeFilter(query: ["operation": "update", "status": "4xx", "session": "A", "q": "bad VALUE"])
        #expect(filter.matches(failed) && !filter.matches(created))
        #expect(try ExchangeFilter(query: ["status": "400"]).matches(failed))
        #expect(try !ExchangeFilter(query: ["status": "2xx"]).matches(failed))
        #expect(try ExchangeFilter(query: ["operation": "", "q": ""]).isEmpty)
        #expect(try !ExchangeFilter(query: ["session": "B"]).matches(created))
    }

    @Test func freeTextIsSearchedInBodiesAsJSONEncodersSpellIt() throws {
        #expect(ExchangeFilter(text: "Bad value").bodySpellings == ["Bad value"], "plain ASCII has one spelling")
        #expect(ExchangeFilter().bodySpellings.isEmpty)
        #expect(ExchangeFilter(text: "Müller").bodySpellings == ["Müller", #"M\u00fcller"#])
        #expect(ExchangeFilter(text: "a/ö").bodySpellings == ["a/ö", #"a/\u00f6"#, #"a\/ö"#, #"a\/\u00f6"#])
        #expect(ExchangeFilter(text: #"say "hi" \ 😀"#).bodySpellings == [#"say "hi" \ 😀"#, #"say \"hi\" \\ 😀"#, #"say \"hi\" \\ \ud83d\ude00"#])
        #expect(ExchangeFilter(text: "<b>&").bodySpellings == ["<b>&", #"\u003cb\u003e\u0026"#], "as Go writes them")
        #expect(ExchangeFilter(text: "Jürgen Smith").targetSpellings == ["Jürgen Smith", "J%C3%BCrgen%20Smith", "J%C3%BCrgen+Smith"])
        #expect(ExchangeFilter(text: "sessions/abc").targetSpellings == ["sessions/abc"])
        #expect(throws: InvalidQuery.self) { try ExchangeFilter(query: ["q": String(repeating: "ü", count: 2_049)]) }
        #expect(try ExchangeFilter(query: ["q": String(repeating: "ü", count: 2_048)]).text?.utf8.count == ExchangeFilter.longestText)
    }

    @Test(arguments: [["operation": "delete"], ["status": "4x"], ["status": "700"], ["status": "abc"], ["q": "a\u{0}b"], ["q": "line\nbreak"]])
    func aBadFilterIsNamed(query: [String: String]) {
        #expect(throws: InvalidQuery.self) { try ExchangeFilter(query: query) }
    }

    @Test func aPageStartsAfterOrBeforeAnIdAndKeepsIDOrder() throws {
        #expect(try PageAnchor(query: [:]) == .after(nil))
        #expect(try PageAnchor(query: ["after": "7", "before": ""]) == .after(7))
        #expect(try PageAnchor(query: ["before": "end"]) == .before(nil))
        #expect(try PageAnchor(query: ["before": "7"]) == .before(7))
        let ids: [Int64] = [1, 2, 3, 5, 8, 13]
        #expect(PageAnchor.after(nil).page(of: ids, id: { $0 }, limit: 2) == [1, 2])
        #expect(PageAnchor.after(3).page(of: ids, id: { $0 }, limit: 2) == [5, 8])
        #expect(PageAnchor.before(nil).page(of: ids, id: { $0 }, limit: 2) == [8, 13])
        #expect(PageAnchor.before(5).page(of: ids, id: { $0 }, limit: 2) == [2, 3])
        #expect(PageAnchor.before(2).page(of: ids, id: { $0 }, limit: 2) == [1])
        #expect(PageAnchor.before(nil).page(of: ids, id: { $0 }, limit: 0).isEmpty)
    }

    @Test(arguments: [["after": "1", "before": "5"], ["before": "last"], ["before": "-1"], ["after": "end"]])
    func aBadPageStartIsNamed(query: [String: String]) {
        #expect(throws: InvalidQuery.self) { try PageAnchor(query: query) }
    }

    /// A failed update names each broken amount rule with the line's reference, and Klarna's error.
    @Test func findingsNameTheBrokenRuleAndKlarnasMessages() throws {
        let body = #"{"order_amount":500,"order_lines":[{"reference":"CAP-7","quantity":2,"unit_price":100,"total_amount":300}]}"#
        let failed = F.update(3, session: "A", body: body, status: 400, response: #"{"error_code":"BAD_VALUE","error_messages":["Bad value: order_lines[0].total_amount"],"correlation_id":"c-1"}"#)
        let findings = ExchangeFindings.json(for: failed)
        let rules = try #require(findings["amount_rules"]?.arrayValue)
        let lineTotal = try #require(rules.first { $0["rule"]?.stringValue == "line-total" })
        #expect(lineTotal["line_reference"]?.stringValue == "CAP-7")
        #expect(lineTotal["field"]?.stringValue == "total_amount" && lineTotal["expected"]?.stringValue == "200" && lineTotal["actual"]?.stringValue == "300")
        #expect(rules.contains { $0["rule"]?.stringValue == "order-amount" })
        #expect(findings["klarna_error"]?["error_messages"]?.arrayValue?.first?.stringValue == "Bad value: order_lines[0].total_amount")
        #expect(ExchangeFindings.json(for: F.create(1, session: "A"))["amount_rules"]?.arrayValue?.isEmpty == true)
    }

    @Test func curlKeepsRedactedValuesAndQuotesForTheShell() {
        var exchange = F.update(3, session: "A", body: #"{"name":"O'Brien","email":"redacted:3fa9c2d1e0b4a789~email"}"#)
        exchange.requestHeaders.append(HeaderField(name: "Host", value: "api.playground.klarna.com"))
        let curl = CurlCommand.render(exchange)
        #expect(curl.hasPrefix("curl -X POST 'https://api.playground.klarna.com/payments/v1/sessions/A'"))
        #expect(curl.contains("-H 'Authorization: Basic redacted:aaaaaaaaaaaaaaaa'"))
        #expect(curl.contains(#"O'\''Brien"#) && curl.contains("redacted:3fa9c2d1e0b4a789~email"))
        #expect(!curl.contains("Host:"))
    }

    @Test func queryParametersArePercentDecoded() {
        let parsed = InspectorRequest.parse(target: "/__sessproxy/api/exchanges?q=Bad%20value&session=a+b&limit=5&empty")
        #expect(parsed.path == "/__sessproxy/api/exchanges")
        #expect(parsed.query == ["q": "Bad value", "session": "a b", "limit": "5", "empty": ""])
    }
}

/// The refusal a browser sees: escaped text, and a policy that lets its empty icon load (a
/// blocked icon makes the browser ask for `/favicon.ico`, which on this port is the proxy's).
@Suite struct InspectorErrorPageTests {
    @Test func theErrorPageEscapesItsTextAndAllowsItsEmptyIcon() throws {
        let page = InspectorResponse.errorPage(401, "no <token> & no cookie")
        guard case .bytes(let bytes) = page.body else {
            Issue.record("the error page has no body")
            return
        }
        let html = String(decoding: bytes, as: UTF8.self)
        #expect(html.contains("no &lt;token&gt; &amp; no cookie") && html.contains(#"<link rel="icon" href="data:,">"#))
        let policy = try #require(page.headers.value(of: "Content-Security-Policy"))
        #expect(policy.contains("default-src 'none'") && policy.contains("img-src data:"), "\(policy)")
    }
}
