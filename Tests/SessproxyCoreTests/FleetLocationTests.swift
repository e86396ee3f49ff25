import Testing

@testable import SessproxyCore

/// Fleet URLs as users write them, and where the password comes from.
@Suite struct FleetLocationTests {
    @Test func aFullURLIsReadAndShownWithoutItsPassword() throws {
        let location = try FleetLocation(parsing: "postgres://ci:s3cret%21@db.internal:6543/fleet?recording=mon&sslmode=verify-full")
        #expect(location.user == "ci" && location.password == "s3cret!" && location.host == "db.internal" && location.port == 6543)
        #expect(location.database == "fleet" && location.recording == "mon" && location.tls == .verifyFull)
        #expect(location.description == "postgres://ci@db.internal:6543/fleet?recording=mon&sslmode=verify-full")
        #expect(!location.description.contains("s3cret"))
        #expect(try FleetLocation(parsing: "postgresql://ci@db/fleet").port == 5432)
    }

    /// An IPv6 literal is the address inside its brackets, and shown in them again.
    @Test func anIPv6HostIsTheAddressInItsBrackets() throws {
        let location = try FleetLocation(parsing: "postgres://ci@[::1]:6543/fleet?recording=mon")
        #expect(location.host == "::1" && location.port == 6543)
        #expect(location.description == "postgres://ci@[::1]:6543/fleet?recording=mon")
    }

    @Test(arguments: [
        "postgres://db/fleet", "postgres://ci@/fleet", "postgres://ci@db", "postgres://ci@db/fleet?sslmode=maybe",
        "postgres://ci@db/fleet?recordng=x", "postgres://ci@db/fleet?recording=a%20b", "mysql://ci@db/fleet",
    ])
    func badURLsAreNamed(text: String) {
        #expect(throws: FleetLocation.Invalid.self) { try FleetLocation(parsing: text) }
    }

    /// As libpq: a password file others may read is not used.
    @Test func aPgpassFileOthersMayReadIsIgnored() {
        #expect(FleetLocation.pgpassRefusal(path: "p", mode: 0o100600) == nil)
        #expect(FleetLocation.pgpassRefusal(path: "p", mode: 0o100400) == nil)
        #expect(FleetLocation.pgpassRefusal(path: "p", mode: 0o100644)?.contains("group or world access") == true)
        #expect(FleetLocation.pgpassRefusal(path: "p", mode: 0o100660)?.contains("group or world access") == true)
        #expect(FleetLocation.pgpassRefusal(path: "p", mode: 0o040700)?.contains("not a plain file") == true)
    }

    @Test func thePasswordComesFromTheURLThenPGPASSWORDThenPgpass() throws {
        let location = try FleetLocation(parsing: "postgres://ci@db.internal:5432/fleet")
        let pgpass = """
            # comment
            other:5432:fleet:ci:nope
            db.internal:*:fleet:ci:pa\\:ss
            """
        #expect(location.resolvedPassword(environment: [:], pgpass: pgpass) == "pa:ss")
        #expect(location.resolvedPassword(environment: ["PGPASSWORD": "env"], pgpass: pgpass) == "env")
        #expect(try FleetLocation(parsing: "postgres://ci:url@db/fleet").resolvedPassword(environment: ["PGPASSWORD": "env"], pgpass: nil) == "url")
        #expect(location.resolvedPassword(environment: [:], pgpass: "db.internal:5432:other:ci:x") == nil)
    }

    @Test func retriesBackOffToThirtySeconds() {
        #expect(FleetShippingStatus.retryDelay(afterFailures: 1) == .milliseconds(500))
        #expect(FleetShippingStatus.retryDelay(afterFailures: 3) == .seconds(2))
        #expect(FleetShippingStatus.retryDelay(afterFailures: 50) == .seconds(30))
    }
}
