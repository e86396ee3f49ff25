/// Personal data where the profile does not expect it: buggy apps put emails in query strings,
/// custom headers, other APIs' paths, free-text fields and form bodies. The leak detector that
/// `audit` uses runs here, at write time, over every stored string the rules leave alone, and
/// what it finds is replaced with a pseudonym of the same kind (`redacted:<hex>~email`) before
/// anything touches disk. A body that cannot be parsed is withheld (`WithheldBody`).
extension Redactor {
    /// `text` with every finding replaced, or nil when there is none.
    func redactUnlistedText(_ text: String) -> String? {
        replacingFindings(LeakTextDetector.spans(in: text), in: text)
    }

    /// `text` with each finding replaced by a pseudonym of what was found. `otherReading` is the
    /// same text read another way, lining up with it byte for byte, with its own findings: a
    /// merged finding that holds one of those is named by the other reading's bytes.
    private func replacingFindings(
        _ spans: [LeakTextDetector.Span], in text: String, otherReading: (text: String, spans: [LeakTextDetector.Span])? = nil
    ) -> String? {
        let found = spans.map { ($0, false) } + (otherReading?.spans ?? []).map { ($0, true) }
        guard !found.isEmpty else { return nil }
        var bytes = Array(text.utf8)
        // Looked at before any replacement: each one changes `bytes`' length, not the offsets before it.
        let otherBytes = otherReading.map { Array($0.text.utf8) }.flatMap { $0.count == bytes.count ? $0 : nil }
        // Replace from the end so earlier offsets stay valid; overlapping findings merge.
        var merged: [(span: LeakTextDetector.Span, fromOther: Bool)] = []
        for (span, fromOther) in found.sorted(by: { $0.0.range.lowerBound < $1.0.range.lowerBound }) {
            if let last = merged.last, span.range.lowerBound < last.span.range.upperBound {
                merged[merged.count - 1].span.range = last.span.range.lowerBound..<max(last.span.range.upperBound, span.range.upperBound)
                merged[merged.count - 1].fromOther = last.fromOther || fromOther
            } else {
                merged.append((span, fromOther))
            }
        }
        for (span, fromOther) in merged.reversed() {
            let found = String(decoding: (fromOther ? otherBytes : nil)?[span.range] ?? bytes[span.range], as: UTF8.self)
            let pseudonym = pseudonymizer.pseudonym(for: found, format: Self.format(of: span.kind))
            bytes.replaceSubrange(span.range, with: Array(pseudonym.utf8))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The stand-in format for a kind of finding (emails stay emails, phones stay phones).
    static func format(of kind: LeakKind) -> FieldFormat? {
        switch kind {
        case .email: return .email
        case .phoneNumber: return .phone
        default: return nil
        }
    }

    /// A JSON leaf the rules do not cover: strings are scanned (and a national-id-shaped value
    /// in a field named like an identifier replaced whole); numbers only where the document
    /// does not type the location as a number — a `quantity` is a count, never a card number.
    func redactUnlistedLeaf(_ value: JSONValue, schema: SchemaNode?, location: [JSONPathComponent]) -> JSONValue? {
        switch value {
        case .string(let text):
            guard !text.isEmpty, !Pseudonymizer.isRedacted(text) else { return nil }
            // The value test first: it is a few byte compares, the key test splits words.
            if LeakTextDetector.isNationalID(text, at: location) {
                return .string(pseudonymizer.pseudonym(for: text, format: .keepLength))
            }
            return redactUnlistedText(text).map(JSONValue.string)
        case .number(let lexeme):
            if schema?.isNumeric == true { return nil }
            guard !LeakTextDetector.spans(in: lexeme).isEmpty
                || LeakTextDetector.isNationalID(lexeme, at: location)
            else { return nil }
            return .string(pseudonymizer.pseudonym(for: lexeme, format: .digits))
        default:
            return nil
        }
    }

    /// Path segments and query values, percent-decoded before scanning and encoded again after;
    /// a query value under a rule's location is redacted as in a JSON body (also when the
    /// detector is off: that is the rules' own work).
    func redactUnlistedTarget(_ target: String, notes: inout [String]) -> String {
        // Most targets (`/payments/v1/sessions/<id>`) are done after one look at their bytes:
        // without a `%` no component decodes to anything but its own text (a `+`, a space in a
        // query, makes the look say yes), and the detector's cheap test finds in the whole
        // target whatever it would find in one component. A query is always read: its names may
        // stand for locations the rules cover.
        var raw = target
        let mayHoldData = raw.withUTF8 { bytes in
            bytes.contains(UInt8(ascii: "?")) || (detectsUnlistedData && (bytes.contains(UInt8(ascii: "%")) || LeakTextDetector.mayContainFinding(bytes)))
        }
        guard mayHoldData else { return target }
        let mark = target.firstIndex(of: "?") ?? target.endIndex
        var changed = false
        let segments = target[..<mark].split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            guard detectsUnlistedData, let replaced = redactEncodedComponent(String(segment), plusIsSpace: false) else { return String(segment) }
            changed = true
            return replaced
        }
        var result = segments.joined(separator: "/")
        if changed { notes.append("request.path") }
        if mark < target.endIndex {
            let query = String(target[target.index(after: mark)...])
            if let replaced = redactFormEncoded(query, place: "request.query", notes: &notes) {
                result += "?" + replaced
            } else {
                result += "?" + query
            }
        }
        return result
    }

    /// `name=value&…`: a value whose name stands for a location the rules cover
    /// (`billing_address[given_name]`, see `FormFieldPath`) becomes the pseudonym it would be in
    /// a JSON body, noted as `place.<path>`; every other name and value is scanned, noted as
    /// `place`. Nil when nothing changed.
    func redactFormEncoded(_ text: String, place: String, notes: inout [String]) -> String? {
        var scanned = false
        var listed = RedactedPaths(keepsPaths: true)
        let pairs = text.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            var name = parts[0]
            if detectsUnlistedData, let replaced = redactEncodedComponent(name, plusIsSpace: true) {
                name = replaced
                scanned = true
            }
            guard parts.count == 2 else { return name }
            let location = FormFieldPath.location(ofName: PercentEncoding.decode(parts[0], plusIsSpace: true))
            let value = PercentEncoding.decode(parts[1], plusIsSpace: true)
            if let replaced = redactListedFormValue(value, at: location, changed: &listed) {
                return name + "=" + (PseudonymToken.isWholeToken(replaced) ? replaced : PercentEncoding.encode(replaced))
            }
            // As in a JSON body: `?ssn=19800101-1234` is a national id under an identity name.
            if detectsUnlistedData, !Pseudonymizer.isRedacted(value), LeakTextDetector.isNationalID(value, at: location) {
                scanned = true
                let pseudonym = pseudonymizer.pseudonym(for: value, format: .keepLength)
                return name + "=" + (PseudonymToken.isWholeToken(pseudonym) ? pseudonym : PercentEncoding.encode(pseudonym))
            }
            guard detectsUnlistedData, let replaced = redactEncodedComponent(parts[1], plusIsSpace: true) else { return name + "=" + parts[1] }
            scanned = true
            return name + "=" + replaced
        }
        guard scanned || listed.count > 0 else { return nil }
        notes += listed.paths.map { "\(place).\($0)" }
        if scanned { notes.append(place) }
        return pairs.joined(separator: "&")
    }

    private func redactEncodedComponent(_ component: String, plusIsSpace: Bool) -> String? {
        let decoded = PercentEncoding.decode(component, plusIsSpace: plusIsSpace)
        // Form rules read an unencoded `+` as a space, which hides `phone=+4477…` (as apps
        // send it) from the detector. So a component with a `+` is read both ways — the two
        // readings differ only in that byte — and what either finds is replaced, with the
        // pseudonym of the value as the reading that found it reads it.
        let literal = plusIsSpace && component.utf8.contains(UInt8(ascii: "+")) ? PercentEncoding.decode(component, plusIsSpace: false) : nil
        return replacingFindings(
            LeakTextDetector.spans(in: decoded), in: decoded, otherReading: literal.map { ($0, LeakTextDetector.spans(in: $0)) }
        ).map(PercentEncoding.encode)
    }

    /// A body that is not JSON: a form is redacted by the rules and scanned value by value,
    /// other UTF-8 text scanned as text, and what cannot be parsed — JSON that does not parse (a
    /// truncated body), bytes that are not UTF-8 — is not stored at all: `WithheldBody` keeps
    /// its length, a keyed digest and why. With the detector off, only the rules' part is done.
    func redactUnparsedBody(_ body: [UInt8], side: String, notes: inout [String]) -> [UInt8] {
        if WithheldBody.isMarker(body) { return body }
        let reason: String
        if let text = String(validating: body, as: UTF8.self) {
            if JSONParser.startsLikeDocument(body) {
                reason = "not valid JSON"
            } else if WithheldBody.looksLikeForm(body) {
                guard let replaced = redactFormEncoded(text, place: "\(side).body", notes: &notes) else { return body }
                return Array(replaced.utf8)
            } else {
                guard detectsUnlistedData, let replaced = redactUnlistedText(text) else { return body }
                notes.append("\(side).body")
                return Array(replaced.utf8)
            }
        } else {
            reason = "not UTF-8 text"
        }
        guard detectsUnlistedData else { return body }
        notes.append("\(side).body (withheld)")
        return WithheldBody(length: body.count, digest: pseudonymizer.pseudonym(forBytes: body), reason: reason).bytes
    }
}

extension Array where Element == JSONPathComponent {
    /// The key a leaf hangs under (`national_identification_number`, or `ids` for `ids[2]`).
    var nearestKey: String? {
        for component in reversed() {
            if case .key(let key) = component { return key }
        }
        return nil
    }
}
