import Testing

@testable import SessproxyCore

/// TLS failures reach users (and the cassette's `proxy_error` answers) in words, without the
/// library's type names or the build's source paths.
@Suite struct TLSFailureTextTests {
    @Test(arguments: [
        (
            "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /src/.build/checkouts/swift-nio-ssl/Sources/CNIOBoringSSL/ssl/handshake.cc:320]))",
            "certificate verify failed"
        ),
        ("NIOSSLExtraError.failedToValidateHostname: Couldn't find db.internal in certificate from peer", "Couldn't find db.internal in certificate from peer"),
        ("something odd at /src/x.cc:1", "something odd"),
    ])
    func readsAsWords(description: String, words: String) {
        #expect(TLSFailureText.words(description) == words)
    }
}
