import Foundation

/// An exchange's request as a `curl` command line, exactly as stored — so a redacted value stays
/// redacted — aimed at the upstream it went to. Single-quoted for POSIX shells.
public enum CurlCommand {
    public static func render(_ exchange: RecordedExchange) -> String {
        let base = exchange.upstream.hasPrefix("http") ? exchange.upstream : "http://127.0.0.1:8080"
        var parts = ["curl", "-X", exchange.method, quote(base.trimmingTrailingSlash + exchange.target)]
        for header in exchange.requestHeaders where !["host", "content-length"].contains(header.name.lowercased()) {
            parts += ["-H", quote("\(header.name): \(header.value)")]
        }
        if !exchange.requestBody.isEmpty {
            parts += ["--data-binary", quote(String(decoding: exchange.requestBody, as: UTF8.self))]
        }
        return parts.joined(separator: " ")
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}

extension String {
    fileprivate var trimmingTrailingSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
