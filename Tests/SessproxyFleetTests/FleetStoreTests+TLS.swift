import Foundation
import Logging
import Testing

@testable import SessproxyCore
@testable import SessproxyFleet

/// TLS to a real server (the test cluster has TLS on, with a self-signed certificate for
/// 127.0.0.1): `sslmode` decides whether the connection is encrypted, and verify-full trusts
/// only `sslrootcert` (or the system's authorities), naming the problem in one line otherwise.
extension FleetStoreTests {
    @Test func sslmodeDecidesEncryptionAndVerifyFullChecksTheCertificate() async throws {
        try await PostgresCluster.with { cluster in
            func encrypted(_ query: String) async throws -> Bool {
                let location = try FleetLocation(parsing: cluster.url + "?" + query)
                let store = try await FleetStore.open(location, password: PostgresCluster.password, logger: Self.logger)
                var ssl = false
                for try await flag in try await store.connection.query(
                    "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: Self.logger
                ).decode(Bool.self) {
                    ssl = flag
                }
                await store.close()
                return ssl
            }
            #expect(try await encrypted("sslmode=disable") == false)
            #expect(try await encrypted("sslmode=require") == true)
            #expect(try await encrypted("sslmode=verify-full&sslrootcert=\(cluster.directory)/server.crt") == true)

            // Not trusted: the system's authorities do not know the test certificate.
            let untrusted = try FleetLocation(parsing: cluster.url + "?sslmode=verify-full")
            let refused = await #expect(throws: FleetError.self) {
                _ = try await FleetStore.open(untrusted, password: PostgresCluster.password, logger: Self.logger)
            }
            #expect(refused?.description.contains("certificate") == true, "\(String(describing: refused))")
            #expect(refused?.description.contains("\n") == false)
            // In words, without the TLS library's type names or its source paths.
            #expect(refused?.description.hasSuffix("(certificate verify failed)") == true, "\(String(describing: refused))")
            #expect(refused?.description.contains("BoringSSL") == false && refused?.description.contains(".cc") == false)

            let missingFile = try FleetLocation(parsing: cluster.url + "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            let unreadable = await #expect(throws: FleetError.self) {
                _ = try await FleetStore.open(missingFile, password: PostgresCluster.password, logger: Self.logger)
            }
            #expect(unreadable?.description.contains("cannot read sslrootcert /nonexistent/ca.pem") == true, "\(String(describing: unreadable))")
        }
    }
}
