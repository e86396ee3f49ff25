import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyStore

/// Human-readable form of one exchange for `show`.
enum ExchangeText {
    static func render(_ exchange: RecordedExchange) -> String {
        var lines: [String] = []
        lines.append("Exchange \(exchange.id ?? 0) · \(exchange.operation.rawValue) · session \(exchange.sessionID ?? "-")")
        lines.append("Time: \(Timestamp.format(exchange.startedAt)) · \(exchange.durationMilliseconds(decimals: 1)) ms · upstream \(exchange.upstream)")
        if let error = exchange.proxyError { lines.append("Answered by sessproxy: \(error)") }
        lines.append("")
        lines.append("> \(exchange.method) \(exchange.target)")
        for header in exchange.requestHeaders { lines.append("> \(header.name): \(header.value)") }
        lines.append(contentsOf: body(exchange.requestBody).map { "> " + $0 })
        lines.append("")
        lines.append("< \(exchange.status)" + (exchange.responseEncoding.map { " (was \($0)-encoded)" } ?? ""))
        for header in exchange.responseHeaders { lines.append("< \(header.name): \(header.value)") }
        lines.append(contentsOf: body(exchange.responseBody).map { "< " + $0 })
        if !exchange.redactions.isEmpty {
            lines.append("")
            lines.append("Redacted: " + exchange.redactions.joined(separator: ", "))
        }
        return lines.map(TerminalText.visible).joined(separator: "\n")
    }

    private static func body(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        let document = ExchangeDocument.body(bytes)
        let text: String
        if case .string(let raw) = document { text = raw } else { text = JSONSerializer.string(document, style: .pretty) }
        return [""] + text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
