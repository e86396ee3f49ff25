import Foundation
import SessproxyCore
import Yams

/// The `--redaction-config` YAML file: additions to the built-in Klarna profile.
///
/// ```yaml
/// headers: [X-Shop-Token]              # header names to redact
/// paths: ["merchant_reference1"]       # JSON paths to redact (*, **, [*] wildcards)
/// embedded_json: ["**.merchant_data"]  # strings holding JSON whose string leaves are redacted
/// keep: ["**.billing_address.country"] # paths never redacted
/// formats:                             # paths redacted as stand-ins of this format on replay
///   "**.loyalty.contact": email        # email, phone, date, timestamp, digits, keep-length, country
/// ```
struct RedactionConfigFile: Decodable {
    var headers: [String]?
    var paths: [String]?
    var embeddedJSON: [String]?
    var keep: [String]?
    var formats: [String: String]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case headers
        case paths
        case embeddedJSON = "embedded_json"
        case keep
        case formats
    }

    /// The built-in rules, extended by the file when one is given.
    static func rules(from path: String?) throws -> RedactionRules {
        guard let path else { return .klarna }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UserError("\(path): cannot read redaction config")
        }
        let file: RedactionConfigFile
        do {
            // An empty file (or one of comments only) adds nothing.
            guard let top = try Yams.load(yaml: text) else { return .klarna }
            guard let mapping = top as? [String: Any] else { throw UserError("\(path): redaction config must be a YAML mapping") }
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = mapping.keys.sorted().first(where: { !known.contains($0) }) {
                throw UserError("\(path): unknown key '\(unknown)' (known: headers, paths, embedded_json, keep, formats)")
            }
            file = try YAMLDecoder().decode(RedactionConfigFile.self, from: text)
        } catch let error as UserError {
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw UserError("\(path): \(Self.misshapen(at: context.codingPath))")
        } catch {
            let reason = String(describing: error).split(separator: "\n").first.map(String.init) ?? "invalid YAML"
            throw UserError("\(path): invalid redaction config (\(reason))")
        }
        func patterns(_ items: [String]?) throws -> [JSONPathPattern] {
            var result: [JSONPathPattern] = []
            for item in items ?? [] {
                do { result.append(try JSONPathPattern(item)) } catch { throw UserError("\(path): \(error.description)") }
            }
            return result
        }
        var formats: [FormattedPath] = []
        for (pattern, name) in (file.formats ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let format = FieldFormat(rawValue: name) else {
                let known = FieldFormat.allCases.map(\.rawValue).joined(separator: ", ")
                throw UserError("\(path): unknown format '\(name)' for '\(pattern)' (known: \(known))")
            }
            formats.append(FormattedPath(pattern: try patterns([pattern])[0], format: format))
        }
        let additions = RedactionAdditions(
            headers: file.headers ?? [], paths: try patterns(file.paths), embeddedJSONPaths: try patterns(file.embeddedJSON),
            keepPaths: try patterns(file.keep), formats: formats)
        return RedactionRules.klarna.extended(with: additions)
    }

    /// What a value of the wrong shape should have been: each key takes a list of strings,
    /// `formats` a mapping, and their items are strings.
    private static func misshapen(at codingPath: [any CodingKey]) -> String {
        var name = codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined(separator: "")
        if name.hasPrefix(".") { name.removeFirst() }
        guard codingPath.count == 1 else { return "'\(name)' must be a string" }
        if codingPath[0].stringValue == CodingKeys.formats.rawValue {
            return "'formats' must be a mapping from JSON paths to format names"
        }
        return "'\(name)' must be a list of strings"
    }
}
