import Foundation
import Logging
import SessproxyCore
import SessproxyProxy
import SessproxyStore
import SessproxyServing

/// Replay a cassette in-process for the duration of a test, without spawning the binary:
///
/// ```swift
/// try await ReplayServer.withReplay(cassette: "Fixtures/checkout.sqlite") { baseURL in
///     let client = KlarnaClient(baseURL: baseURL)   // the app's own client
///     try await client.createSession(cart)
/// }
/// ```
///
/// The server listens on a free loopback port. When the body is done, every miss (a request
/// nothing recorded matched) is thrown as `ReplayServer.Misses`, whose description carries
/// the nearest recorded requests and what differed.
public enum ReplayServer {
    public struct Misses: Error, CustomStringConvertible {
        public let reports: [ReplayMissReport]
        public let cassette: String
        public var description: String {
            (["\(reports.count) request(s) had no match in \(cassette):"] + reports.map { "  " + $0.logLine }).joined(separator: "\n")
        }
    }

    public struct Unused: Error, CustomStringConvertible {
        public let exchangeIDs: [Int64]
        public let cassette: String
        public var description: String {
            "\(exchangeIDs.count) recorded exchange(s) in \(cassette) were never used: \(exchangeIDs.map(String.init).joined(separator: ", "))"
        }
    }

    /// - Parameters:
    ///   - requireAllUsed: also fail when recorded exchanges were never requested (like `--strict`).
    public static func withReplay<T: Sendable>(
        cassette path: String,
        rules: RedactionRules = .klarna,
        requireAllUsed: Bool = false,
        logger: Logger = Logger(label: "sessproxy.replay-server"),
        _ body: @Sendable (_ baseURL: String) async throws -> T
    ) async throws -> T {
        // Read in place when nobody records into it: a cassette committed with the tests stays
        // unmodified by running them.
        let stack = try ReplayStack(
            cassette: try Cassette.open(path: path, readingOnly: true),
            proxy: ProxyConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), cassettePath: path, redactionRules: rules),
            logger: logger)
        let result = try await ServiceHarness.run(stack.services, logger: logger) {
            try await body("http://127.0.0.1:\(await stack.port.wait())")
        }
        let outcome = stack.handler.outcome
        if !outcome.misses.isEmpty { throw Misses(reports: outcome.misses, cassette: path) }
        if requireAllUsed, !outcome.unusedExchangeIDs.isEmpty { throw Unused(exchangeIDs: outcome.unusedExchangeIDs, cassette: path) }
        return result
    }

    /// Record through a real (or fake) upstream into `cassette` for the duration of a test.
    public static func withRecording<T: Sendable>(
        upstream: String,
        cassette path: String,
        redactionKey: [UInt8],
        logger: Logger = Logger(label: "sessproxy.record-server"),
        _ body: @Sendable (_ baseURL: String) async throws -> T
    ) async throws -> T {
        let stack = try RecordingStack(
            cassette: try Cassette.openOrCreate(path: path),
            upstream: UpstreamConfiguration(endpoint: try UpstreamEndpoint(parsing: upstream)),
            proxy: ProxyConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), cassettePath: path),
            redactionKey: redactionKey, logger: logger)
        return try await ServiceHarness.run(stack.services, logger: logger) {
            try await body("http://127.0.0.1:\(await stack.port.wait())")
        }
    }
}
