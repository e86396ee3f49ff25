import SessproxyCore

/// Compares one aligned pair of exchanges (either side may be absent) and lists the findings in
/// the order a reviewer needs them: status, Klarna error, broken amount rule, request body,
/// response body, headers.
struct ExchangeComparator: Sendable {
    let options: DiffOptions
    let filter: NoiseFilter

    /// Length of a value quoted inside a one-line message; the finding keeps the whole value.
    static let messageValueLimit = 80

    func compare(_ a: RecordedExchange?, _ b: RecordedExchange?, moved: Bool) -> CallDiff {
        guard let reference = b ?? a else { preconditionFailure("an aligned call has at least one side") }
        var findings: [DiffFinding] = []
        if let a, let b {
            findings += statusFindings(a, b)
        }
        // Byte-equal bodies on both sides cannot differ after noise filtering: skip parsing them.
        let sameRequest = a != nil && b != nil && a?.requestBody == b?.requestBody
        let sameResponse = a != nil && b != nil && a?.responseBody == b?.responseBody
        let aResponse = sameResponse ? nil : a.map { ParsedBody.parse($0.responseBody, filter: filter) }
        let bResponse = sameResponse ? nil : b.map { ParsedBody.parse($0.responseBody, filter: filter) }
        findings += errorFindings(aResponse, bResponse)
        findings += amountRuleFindings(a, b)
        if !sameRequest {
            findings += bodyFindings(
                kind: .requestBody, a.map { ParsedBody.parse($0.requestBody, filter: filter) },
                b.map { ParsedBody.parse($0.requestBody, filter: filter) })
        }
        if !sameResponse {
            findings += bodyFindings(kind: .responseBody, aResponse?.withoutErrorFields, bResponse?.withoutErrorFields)
        }
        if let a, let b {
            findings += headerFindings(
                side: "request", a.requestHeaders, b.requestHeaders, volatile: KlarnaProfile.volatileRequestHeaders)
            findings += headerFindings(
                side: "response", a.responseHeaders, b.responseHeaders, volatile: KlarnaProfile.volatileResponseHeaders)
        }
        let alignment: CallDiff.Alignment
        switch (a, b) {
        case (nil, _): alignment = .added
        case (_, nil): alignment = .missing
        default: alignment = moved ? .reordered : (findings.isEmpty ? .same : .changed)
        }
        return CallDiff(
            operation: reference.operation, method: reference.method, path: PathTemplate.make(for: reference),
            aExchangeID: a?.id, bExchangeID: b?.id, aStatus: a?.status, bStatus: b?.status,
            alignment: alignment, findings: findings)
    }

    // MARK: Status and Klarna errors

    private func statusFindings(_ a: RecordedExchange, _ b: RecordedExchange) -> [DiffFinding] {
        var findings: [DiffFinding] = []
        if a.status != b.status {
            findings.append(DiffFinding(
                kind: .status, path: "status", before: String(a.status), after: String(b.status),
                message: "status \(a.status) → \(b.status)"))
        }
        if a.proxyError != b.proxyError {
            findings.append(DiffFinding(
                kind: .status, path: "proxy_error", before: a.proxyError, after: b.proxyError,
                message: "proxy error \(a.proxyError ?? "none") → \(b.proxyError ?? "none")"))
        }
        return findings
    }

    private func errorFindings(_ a: ParsedBody.Content?, _ b: ParsedBody.Content?) -> [DiffFinding] {
        let aError = a?.errorFields
        let bError = b?.errorFields
        guard aError != nil || bError != nil else { return [] }
        var findings: [DiffFinding] = []
        for field in ParsedBody.errorFieldNames {
            let before = aError?[field]
            let after = bError?[field]
            guard before != after else { continue }
            findings.append(valueFinding(kind: .errorMessages, path: field, before: before, after: after))
        }
        return findings
    }

    // MARK: Amount rules

    private func amountRuleFindings(_ a: RecordedExchange?, _ b: RecordedExchange?) -> [DiffFinding] {
        guard let b, b.requestBody != a?.requestBody || a?.operation != b.operation, let bBody = Self.orderBody(b) else { return [] }
        let broken = KlarnaAmountRules.check(bBody)
        guard !broken.isEmpty else { return [] }
        let kept = Set((a.flatMap(Self.orderBody).map(KlarnaAmountRules.check) ?? []).map(Self.ruleKey))
        return broken.filter { !kept.contains(Self.ruleKey($0)) }.map { violation in
            let location = violation.linePath.map { "\($0).\(violation.field)" } ?? violation.path
            return DiffFinding(
                kind: .amountRule, path: location, before: violation.expected, after: violation.actual,
                message: violation.summary, rule: violation.rule.rawValue)
        }
    }

    /// The request body of a create or update, the only calls that carry an order.
    private static func orderBody(_ exchange: RecordedExchange) -> JSONValue? {
        guard exchange.operation == .create || exchange.operation == .update else { return nil }
        return exchange.requestJSON
    }

    private static func ruleKey(_ violation: KlarnaAmountRules.Violation) -> String {
        "\(violation.rule.rawValue)|\(violation.linePath ?? "")|\(violation.field)"
    }

    // MARK: Bodies

    private func bodyFindings(kind: DiffFinding.Kind, _ a: ParsedBody.Content?, _ b: ParsedBody.Content?) -> [DiffFinding] {
        let label = kind == .requestBody ? "request body" : "response body"
        switch (a ?? .empty, b ?? .empty) {
        case (.empty, .empty):
            return []
        case (.json(let left), .json(let right)):
            return jsonFindings(kind: kind, left, right)
        case (.empty, .json(let right)):
            return a == nil ? [wholeBody(kind: kind, label: label, before: nil, after: right)] : jsonFindings(kind: kind, nil, right)
        case (.json(let left), .empty):
            return b == nil ? [wholeBody(kind: kind, label: label, before: left, after: nil)] : jsonFindings(kind: kind, left, nil)
        case (let left, let right):
            guard left != right else { return [] }
            return [DiffFinding(
                kind: kind, path: "$", before: a.map { _ in left.shape }, after: b.map { _ in right.shape },
                message: "\(label): \(a == nil ? "nothing" : left.shape) → \(b == nil ? "nothing" : right.shape)")]
        }
    }

    private func jsonFindings(kind: DiffFinding.Kind, _ left: JSONValue?, _ right: JSONValue?) -> [DiffFinding] {
        let diffOptions = JSONDiff.Options(ignoring: [], redactedValuesAreEqual: !options.compareRedacted)
        return JSONDiff.changes(from: left, to: right, options: diffOptions).map { change in
            DiffFinding(
                kind: kind, path: change.path, before: change.before?.canonicalText, after: change.after?.canonicalText,
                message: change.summary)
        }
    }

    /// A body present on one side only because the whole call is: printed whole, noise already stripped.
    private func wholeBody(kind: DiffFinding.Kind, label: String, before: JSONValue?, after: JSONValue?) -> DiffFinding {
        let text = (after ?? before)?.canonicalText ?? ""
        return DiffFinding(
            kind: kind, path: "$", before: before?.canonicalText, after: after?.canonicalText,
            message: "\(label): \(Self.shorten(text))")
    }

    // MARK: Headers

    private func headerFindings(side: String, _ a: [HeaderField], _ b: [HeaderField], volatile: Set<String>) -> [DiffFinding] {
        let left = headerMap(a, volatile: volatile)
        let right = headerMap(b, volatile: volatile)
        guard left != right else { return [] }
        var findings: [DiffFinding] = []
        for name in Set(left.keys).union(right.keys).sorted() {
            let before = left[name]
            let after = right[name]
            guard before != after else { continue }
            if let before, let after, !options.compareRedacted, PseudonymToken.equalAroundPseudonyms(before, after) {
                continue
            }
            findings.append(DiffFinding(
                kind: .header, path: "\(side).header.\(name)", before: before, after: after,
                message: "\(side) header \(name): \(before.map(Self.shorten) ?? "absent") → \(after.map(Self.shorten) ?? "absent")"))
        }
        return findings
    }

    /// Lower-cased name → values joined by `, `, without volatile headers and date-valued ones.
    private func headerMap(_ headers: [HeaderField], volatile: Set<String>) -> [String: String] {
        var map: [String: String] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard !volatile.contains(name), !DateTimeText.isDateTime(header.value) else { continue }
            let value = filter.replacingSessionIDs(in: header.value)
            if let existing = map[name] { map[name] = existing + ", " + value } else { map[name] = value }
        }
        return map
    }

    // MARK: Helpers

    private func valueFinding(kind: DiffFinding.Kind, path: String, before: JSONValue?, after: JSONValue?) -> DiffFinding {
        let beforeText = before?.canonicalText
        let afterText = after?.canonicalText
        return DiffFinding(
            kind: kind, path: path, before: beforeText, after: afterText,
            message: "\(path): \(beforeText.map(Self.shorten) ?? "nothing") → \(afterText.map(Self.shorten) ?? "nothing")")
    }

    static func shorten(_ text: String) -> String {
        text.count > messageValueLimit ? String(text.prefix(messageValueLimit - 1)) + "…" : text
    }
}
