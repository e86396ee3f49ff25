import ArgumentParser
import Foundation
import Logging
import SessproxyCore
import SessproxyDiff
import SessproxyProxy
import SessproxyStore
import SessproxyTesting
import SessproxyServing

extension Sessproxy {
    /// `sessproxy demo`: the whole product in one command, against the built-in fake Klarna.
    struct Demo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Record a merchant flow against a built-in fake Klarna, replay it offline and diff a regressed recording.")

        @Option(help: "Directory for the demo cassettes (default: a new temporary directory).")
        var directory: String?

        func run() async throws {
            let logger: Logger = {
                var logger = Logger(label: "sessproxy.demo")
                logger.logLevel = .critical
                return logger
            }()
            let folder = try prepareDirectory()
            let yesterday = folder + "/yesterday.sqlite"
            let today = folder + "/today.sqlite"
            var generator = SystemRandomNumberGenerator()
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }

            section("1. Fake Klarna + recording proxy on free ports")
            let fakePort = ListeningPort()
            let fake = try FakeKlarnaServer.make(options: .init(gzip: true), logger: logger, onListening: fakePort.callback)
            let recorded = try await ServiceHarness.run([fake], logger: logger) {
                let upstream = "http://127.0.0.1:\(await fakePort.wait())"
                line("fake Klarna      \(upstream)")
                let good = try await record(flow: MerchantFlow(), upstream: upstream, cassette: yesterday, key: key, logger: logger)
                section("3. A day later: the cart update regressed (line total off by 500)")
                _ = try await record(flow: MerchantFlow(regressedUpdate: true), upstream: upstream, cassette: today, key: key, logger: logger)
                return good
            }

            section("4. What the cassette holds (redacted)")
            let exchanges = try Cassette.open(path: yesterday).allExchanges()
            for exchange in exchanges {
                line("#\(exchange.id ?? 0) \(exchange.operation.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(exchange.status)  \(exchange.method) \(exchange.target)")
            }
            if let create = exchanges.first {
                line("redacted in #\(create.id ?? 0): " + create.redactions.prefix(6).joined(separator: ", ") + (create.redactions.count > 6 ? ", …" : ""))
                if let email = create.requestJSON?["billing_address"]?["email"]?.stringValue { line("billing_address.email is stored as \(email)") }
            }
            for timeline in SessionTimeline.build(from: exchanges) { line("session \(timeline.sessionID): \(timeline.summary)") }

            section("5. Replay offline (fake Klarna is stopped)")
            let replayStack = try ReplayStack(
                cassette: try Cassette.open(path: yesterday),
                proxy: ProxyConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 0), cassettePath: yesterday),
                logger: logger)
            let replayed = try await ServiceHarness.run(replayStack.services, logger: logger) {
                let base = "http://127.0.0.1:\(await replayStack.port.wait())"
                line("replay proxy     \(base)")
                let first = try await MerchantFlow().run(baseURL: base)
                let second = try await MerchantFlow().run(baseURL: base)
                return (first, second)
            }
            var same = 0
            for (index, step) in replayed.0.enumerated() {
                let live = recorded[index]
                let matches = step.status == live.status && sameAsRecorded(replayed: step, live: live, key: key)
                if matches { same += 1 }
                line("\(matches ? "✓" : "✗") \(step.name): recorded \(live.status), replayed \(step.status)")
            }
            let repeatable = zip(replayed.0, replayed.1).allSatisfy { $0.status == $1.status && $0.body == $1.body }
            let outcome = replayStack.handler.outcome
            line("\(same)/\(recorded.count) replayed answers match the recording; a second run answered byte for byte the same: \(repeatable ? "yes" : "no")")
            line("upstream connections during replay: \(replayStack.upstream?.forwardedCount ?? 0); hits \(outcome.hits), misses \(outcome.misses.count)")

            section("6. sessproxy diff yesterday.sqlite today.sqlite")
            let report = RecordingDiff.compare(
                exchanges, try Cassette.open(path: today).allExchanges(), labels: ("yesterday.sqlite", "today.sqlite"))
            print(TextDiffRenderer(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil).render(report))

            section("7. Audit and export")
            let findings = exchanges.flatMap { LeakScanner.scan($0, rules: .klarna) }
            line("audit: \(exchanges.count) exchanges scanned, \(findings.count) leak(s) of personal data or secrets")
            let jsonExport = folder + "/yesterday.json"
            let harExport = folder + "/yesterday.har"
            var json = JSONSerializer.bytes(ExchangeDocument.export(documents: exchanges.map(ExchangeDocument.full)), style: .pretty)
            json.append(UInt8(ascii: "\n"))
            let har = JSONSerializer.bytes(HARDocument.document(for: exchanges, creatorVersion: Sessproxy.configuration.version), style: .pretty)
            for (path, bytes) in [(jsonExport, json), (harExport, har)]
            where !FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) {
                throw UserError("\(path): cannot write demo export")
            }
            line("export: \(jsonExport) (sorted JSON for review), \(harExport) (HAR 1.2 for browser devtools)")

            section("Try it yourself")
            line("sessproxy list \(yesterday)")
            line("sessproxy show \(yesterday) 1")
            line("sessproxy sessions \(yesterday)")
            line("sessproxy replay --cassette \(yesterday) --listen 127.0.0.1:8080 --strict")
            line("sessproxy diff \(yesterday) \(today)")
            line("sessproxy audit \(yesterday)")
            line("sessproxy export \(yesterday) --format har --output checkout.har")
            if same != recorded.count || !repeatable || !findings.isEmpty { throw ExitCode(1) }
        }

        private func record(flow: MerchantFlow, upstream: String, cassette: String, key: [UInt8], logger: Logger) async throws -> [MerchantFlow.Step] {
            try await ReplayServer.withRecording(upstream: upstream, cassette: cassette, redactionKey: key, logger: logger) { base in
                if !flow.regressedUpdate {
                    line("recording proxy  \(base) → \(upstream) into \(cassette)")
                    section("2. Merchant flow through the recording proxy")
                } else {
                    line("recording into \(cassette)")
                }
                let steps = try await flow.run(baseURL: base)
                for step in steps { line("\(step.status)  \(step.name)") }
                return steps
            }
        }

        private func prepareDirectory() throws -> String {
            let path = directory ?? (FileManager.default.temporaryDirectory.path + "/sessproxy-demo-\(UUID().uuidString.prefix(8).lowercased())")
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw UserError("\(path): cannot create demo directory")
            }
            for name in ["yesterday.sqlite", "today.sqlite"] {
                let file = path + "/" + name
                guard FileManager.default.fileExists(atPath: file) else {
                    Cassette.removeFiles(at: file)  // a stale -wal or -shm of a cassette gone
                    continue
                }
                // An earlier demo's cassette is replaced; anything else is not the demo's to lose.
                guard Self.isDemoCassette(file) else {
                    throw UserError("\(file) exists and is not a cassette an earlier demo made; choose another --directory")
                }
                Cassette.removeFiles(at: file)
            }
            return path
        }

        /// Whether `file` is a cassette whose exchanges all went to a fake Klarna on this machine.
        private static func isDemoCassette(_ file: String) -> Bool {
            guard let cassette = try? Cassette.open(path: file, readingOnly: true) else { return false }
            defer { cassette.close() }
            guard let rows = try? cassette.exchanges(afterID: 0, limit: 1_000) else { return false }
            return rows.allSatisfy { $0.upstream.hasPrefix("http://127.0.0.1:") }
        }

        /// The replayed answer equals what the app got live, once the live answer is redacted the
        /// way it was recorded and its pseudonyms rendered as replay renders them; `client_token`
        /// is a stand-in on replay (the real one was redacted).
        private func sameAsRecorded(replayed: MerchantFlow.Step, live: MerchantFlow.Step, key: [UInt8]) -> Bool {
            var notes: [String] = []
            let redactor = Redactor(rules: .klarna, pseudonymizer: Pseudonymizer(keyBytes: key))
            let operation = KlarnaRouteClassifier.classify(method: live.method, target: live.path).operation
            let redacted = redactor.redactResponseBody(live.body, method: live.method, path: live.path, status: live.status, notes: &notes)
            let expected = ReplayBodyRenderer().render(redacted, operation: operation, status: live.status, sessionID: nil) ?? redacted
            guard let left = try? JSONParser.parse(replayed.body), let right = try? JSONParser.parse(expected) else {
                return replayed.body == expected
            }
            return left.removing("client_token").canonicalText == right.removing("client_token").canonicalText
        }
    }
}

private func section(_ title: String) {
    print("\n== \(title)")
}

private func line(_ text: String) {
    print("   \(text)")
}
