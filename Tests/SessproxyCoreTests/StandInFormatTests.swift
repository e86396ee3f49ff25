import Foundation
import Testing
@testable import SessproxyCore

/// Each format a redacted value keeps: the stored pseudonym carries its hint, replay renders a
/// stand-in of that shape — deterministic, dependent on the key, distinct for distinct values,
/// and recognisable as redacted by audit.
@Suite struct StandInFormatTests {
    let key = Pseudonymizer(keyBytes: Array(repeating: 7, count: 32))
    let otherKey = Pseudonymizer(keyBytes: Array(repeating: 8, count: 32))

    func standIn(_ value: String, _ format: FieldFormat, with pseudonymizer: Pseudonymizer? = nil) throws -> String {
        let stored = (pseudonymizer ?? key).pseudonym(for: value, format: format)
        let token = try #require(PseudonymToken(stored))
        return try #require(RedactedStandIn.value(for: token, schema: nil, format: nil).stringValue)
    }

    static let samples: [(FieldFormat, String)] = [
        (.email, "jane.doe@example.com"), (.phone, "+447700900123"), (.date, "1978-12-31"), (.timestamp, "2021-04-01T09:30:00Z"),
        (.digits, "123456789"), (.keepLength, "EC1A 1BB"), (.country, "SE"),
    ]

    @Test(arguments: samples.map(\.0))
    func keepsItsShape(_ format: FieldFormat) throws {
        let value = try #require(Self.samples.first { $0.0 == format }?.1)
        let rendered = try standIn(value, format)
        #expect(rendered != value)
        switch format {
        case .email:
            #expect(rendered.hasSuffix("@example.invalid"))
            #expect(LeakTextDetector.isWholeEmail(Array(rendered.utf8)))
        case .phone:
            #expect(rendered.hasPrefix("+999") && rendered.count == 15)
            #expect(LeakTextDetector.isWholePhoneNumber(Array(rendered.utf8)))
        case .date:
            let parser = DateFormatter()
            parser.locale = Locale(identifier: "en_US_POSIX")
            parser.timeZone = TimeZone(identifier: "UTC")
            parser.dateFormat = "yyyy-MM-dd"
            #expect(parser.date(from: rendered) != nil && rendered.count == 10, "\(rendered)")
        case .timestamp:
            #expect(ISO8601DateFormatter().date(from: rendered) != nil, "\(rendered)")
        case .digits:
            #expect(rendered.count == 9 && rendered.allSatisfy(\.isNumber))
        case .keepLength:
            #expect(rendered.map(PseudonymToken.shapeClass) == value.map(PseudonymToken.shapeClass), "\(rendered)")
        case .country:
            #expect(RedactedStandIn.countries.contains(rendered))
        }
    }

    @Test(arguments: samples.map(\.0))
    func isDeterministicAndRecognisableWhenStored(_ format: FieldFormat) throws {
        let value = try #require(Self.samples.first { $0.0 == format }?.1)
        let stored = key.pseudonym(for: value, format: format)
        #expect(stored == key.pseudonym(for: value, format: format))
        #expect(try standIn(value, format) == standIn(value, format))
        #expect(Pseudonymizer.isRedacted(stored))
        #expect(!stored.contains(value))
        #expect(LeakTextDetector.kinds(in: stored).isEmpty)
        #expect(LeakTextDetector.kinds(in: "note: \(stored), thanks").isEmpty)
        #expect(PseudonymToken.collapsed("a \(stored) b") == "a redacted b")
        #expect(stored != otherKey.pseudonym(for: value, format: format), "the pseudonym depends on the key")
    }

    /// Formats with room for it give distinct stand-ins for distinct values, and different
    /// ones under another key; narrow ones (a date, a country) cannot, but their stored
    /// pseudonyms — what diff compares — still differ.
    @Test(arguments: [FieldFormat.email, .phone, .timestamp])
    func distinctValuesGiveDistinctStandIns(_ format: FieldFormat) throws {
        var seen = Set<String>()
        for index in 0..<500 {
            seen.insert(try standIn("person\(index)@example.com", format))
        }
        #expect(seen.count == 500)
        #expect(try standIn("a@example.com", format) != standIn("a@example.com", format, with: otherKey))
    }

    @Test func narrowFormatsStillStoreDistinctPseudonyms() throws {
        let dates = (1...28).map { "1980-02-\($0 < 10 ? "0" : "")\($0)" }
        #expect(Set(dates.map { key.pseudonym(for: $0, format: .date) }).count == dates.count)
    }

    /// A pseudonym is the first eight bytes of HMAC-SHA256(key, value) in hex, then the hint:
    /// recordings made with the same key keep lining up across releases. The expected digests
    /// come from Python's `hmac` module.
    @Test func pseudonymsAreTheKeyedHMACOfTheValueThenTheHint() {
        let fives = Pseudonymizer(keyBytes: Array(repeating: 5, count: 32))
        #expect(fives.pseudonym(for: "jane.doe@example.com") == "redacted:b0504f965fc2cde1")
        #expect(fives.pseudonym(for: "jane.doe@example.com", format: .email) == "redacted:b0504f965fc2cde1~email")
        #expect(fives.pseudonym(for: "Erika", format: .keepLength) == "redacted:32abc2b2184d9013~=Aaaaa")
        #expect(fives.pseudonym(for: "4111111111111111", format: .digits) == "redacted:a61c46976ca96712~=nnnnnnnnnnnnnnnn")
        #expect(fives.pseudonym(for: "Erika", format: nil) == fives.pseudonym(for: "Erika"))
        #expect(Pseudonymizer.placeholderOnly.pseudonym(for: "Erika", format: .email) == "redacted")
        let token = PseudonymToken("redacted:32abc2b2184d9013~=Aaaaa")
        #expect(token?.text == "redacted:32abc2b2184d9013~=Aaaaa")
    }

    /// Shape classes as character properties define them (a digit of ASCII, upper case, a letter,
    /// a space, `-./'`, anything else), for every printable ASCII character and a few beyond.
    @Test func shapeClassesFollowCharacterProperties() {
        func byProperties(_ character: Character) -> Character {
            if character.isASCII, character.isNumber { return "n" }
            if character.isUppercase { return "A" }
            if character.isLetter { return "a" }
            if character == " " { return "_" }
            if "-./'".contains(character) { return character }
            return "x"
        }
        let printable = String(decoding: Array(0x20...0x7E), as: UTF8.self)
        for character in printable + "ÅéßΩ٣\t\r\n\u{0}\u{7F}€ " + "\r\n" + "e\u{301}" {
            #expect(PseudonymToken.shapeClass(character) == byProperties(character), "\(character.unicodeScalars.map(\.value))")
        }
    }

    /// A keep-length hint read byte by byte (printable ASCII) spells what the character-by-character
    /// reading spells, and only such values are read so.
    @Test func keepLengthHintsReadFromBytesMatchTheCharacterReading() {
        let printable = String(decoding: Array(0x20...0x7E), as: UTF8.self)
        let values = [
            printable, String(repeating: "Ab 1-", count: 30), "EC1A 1BB", "", "O'Neil ./x", String(repeating: "a", count: 120) + "é",
        ]
        for value in values {
            #expect(PseudonymToken.printableASCIIShape(of: value) == String(value.prefix(100).map(PseudonymToken.shapeClass)), "\(value)")
        }
        #expect(PseudonymToken.printableASCIIShape(of: printable)?.count == 95)
        for value in ["Åsa", "line\r\nbreak", "tab\there", "e\u{301}", String(repeating: "a", count: 100) + "\u{301}"] {
            #expect(PseudonymToken.printableASCIIShape(of: value) == nil, "\(value)")
        }
        #expect(PseudonymToken.hint(for: "Åsa Ek", format: .keepLength) == .shape("Aaa_Aa"))
    }

    @Test func tokensParseWithAndWithoutHints() throws {
        #expect(PseudonymToken("redacted:00ff")?.hint == nil)
        #expect(PseudonymToken("redacted:00ff~email")?.hint == .format(.email))
        #expect(PseudonymToken("redacted:00ff~keep-length")?.hint == .format(.keepLength))
        #expect(PseudonymToken("redacted:00ff~=AAnA_nAA")?.hint == .shape("AAnA_nAA"))
        #expect(PseudonymToken("redacted:00ff and more") == nil)
        #expect(PseudonymToken("jane") == nil)
        let text = Array("x redacted:ab12~email. y".utf8)
        #expect(PseudonymToken.end(in: text, at: 2) == 2 + "redacted:ab12~email".utf8.count)
    }

    @Test func evidentFormatsOfValuesWithoutAProfileLocation() {
        #expect(FieldFormat.evident(in: "2021-04-01T09:30:00Z") == .timestamp)
        #expect(FieldFormat.evident(in: "1980-01-01") == .date)
        #expect(FieldFormat.evident(in: "jane@example.com") == .email)
        #expect(FieldFormat.evident(in: "+46701234567") == .phone)
        #expect(FieldFormat.evident(in: "Jane Doe") == nil)
    }
}

/// A user's own field given a format in `--redaction-config`: redacted, and replayed parseable.
@Suite struct ConfiguredFormatTests {
    @Test func aConfiguredPathIsRedactedWithItsFormatAndReplayedInIt() throws {
        let rules = RedactionRules.klarna.extended(with: RedactionAdditions(formats: [
            FormattedPath(pattern: try JSONPathPattern("merchant_reference2"), format: .digits),
            FormattedPath(pattern: try JSONPathPattern("**.loyalty.contact"), format: .email),
        ]))
        let redactor = Redactor(rules: rules, pseudonymizer: Pseudonymizer(keyBytes: Array(repeating: 2, count: 32)))
        var notes: [String] = []
        let body = Array(#"{"merchant_reference2":"48-1516-2342","loyalty":{"contact":"member@example.com"}}"#.utf8)
        let stored = try JSONParser.parse(redactor.redactBody(body, side: "response", notes: &notes))
        let reference = try #require(stored["merchant_reference2"]?.stringValue)
        #expect(PseudonymToken(reference)?.hint == .shape("nnnnnnnnnn") && !reference.contains("1516"))
        #expect(PseudonymToken(try #require(stored["loyalty"]?["contact"]?.stringValue))?.hint == .format(.email))
        let served = try JSONParser.parse(try #require(
            ReplayBodyRenderer(rules: rules).render(JSONSerializer.bytes(stored), operation: .other, status: 200, sessionID: nil)))
        #expect(served["merchant_reference2"]?.stringValue?.count == 10 && served["merchant_reference2"]?.stringValue?.allSatisfy(\.isNumber) == true)
        #expect(served["loyalty"]?["contact"]?.stringValue?.hasSuffix("@example.invalid") == true)
    }
}
