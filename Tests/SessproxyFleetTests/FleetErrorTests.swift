import Glibc
import NIOCore
import Testing

@testable import SessproxyFleet

/// What a user reads when the fleet store cannot be reached: the cause in words.
@Suite struct FleetErrorTests {
    struct Described: Error, CustomStringConvertible {
        let description: String
    }

    @Test func aServerThatAcceptsButNeverAnswersIsNamedAsSuch() {
        #expect(FleetError.reason(ChannelError.connectTimeout(.seconds(5))) == "no answer within 5 s (is the server stopped or overloaded?)")
        #expect(FleetError.reason(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == "connection refused (is PostgreSQL running on that port?)")
    }

    @Test func tlsFailuresAreWordsNotTypeDumps() {
        let boring = Described(
            description: "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /src/ssl/handshake.cc:320]))")
        #expect(FleetError.tlsDetail(boring) == "certificate verify failed")
        #expect(FleetError.tlsDetail(Described(description: "something odd at /src/x.cc:1")) == "something odd")
    }
}
