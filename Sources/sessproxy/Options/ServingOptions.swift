import ArgumentParser
import SessproxyCore
import SessproxyProxy

/// Options every serving mode (`record`, `replay`) takes alike.
struct ServingOptions: ParsableArguments {
    @Option(help: "Address to listen on.")
    var listen: ParsedArgument<ListenAddress> = ParsedArgument(argument: "127.0.0.1:8080")!

    // `.unconditional`: a value like `-5` is read as the value (and refused by `validate()` in
    // words), not as an unknown option that leaves the value "missing".
    @Option(name: .customLong("body-limit"), parsing: .unconditional, help: "Largest request or response body, in bytes.")
    var bodyLimit: Int = ProxyConfiguration.defaultBodyLimit

    @Option(name: .customLong("upstream-ca"), help: "PEM file with an extra CA certificate to trust for the upstream.")
    var upstreamCA: String?

    @Option(name: .customLong("upstream-timeout"), parsing: .unconditional, help: "Seconds to wait for the upstream's whole answer.")
    var upstreamTimeout: Double = 30

    @OptionGroup var redactionConfig: RedactionConfigOption

    /// A millisecond at least (the deadline's unit), a day at most: far past any answer worth
    /// waiting for, and far from the clock's range (a deadline past it would trap).
    static let upstreamTimeoutRange = 0.001...86_400.0

    func validate() throws {
        _ = try listen.value()
        guard Self.upstreamTimeoutRange.contains(upstreamTimeout) else {
            throw ValidationError("--upstream-timeout must be between 0.001 and 86400 seconds (a day)")
        }
        guard bodyLimit > 0 else { throw ValidationError("--body-limit must be positive") }
    }

    /// Refuses an upstream that is this very listener (two ports mixed up): every request would
    /// come back to sessproxy and be forwarded again.
    func validate(upstream endpoint: UpstreamEndpoint) throws {
        let address = try listen.value()
        guard !address.isReached(by: endpoint) else {
            throw ValidationError(
                "--upstream \(endpoint) is sessproxy's own --listen address \(address): each request would come back to it; point --upstream at Klarna or at `sessproxy fake-klarna`")
        }
    }

    /// The upstream settings for `endpoint` with these options' CA and timeout.
    func upstream(_ endpoint: UpstreamEndpoint) -> UpstreamConfiguration {
        UpstreamConfiguration(endpoint: endpoint, timeout: .milliseconds(Int64(upstreamTimeout * 1000)), additionalCAFile: upstreamCA)
    }

    /// The proxy settings for a cassette, with these options' listener, limit and rules.
    func proxy(cassette: String) throws -> ProxyConfiguration {
        ProxyConfiguration(listen: try listen.value(), bodyLimit: bodyLimit, cassettePath: cassette, redactionRules: try redactionConfig.rules())
    }
}
