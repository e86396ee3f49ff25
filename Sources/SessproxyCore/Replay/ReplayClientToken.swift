import Crypto
import Foundation

/// Stand-ins for tokens that were redacted in the cassette. The app needs a `client_token` it
/// can hand to the Klarna widget code and an `authorization_token` it can send back in a
/// later path; the real ones never reach the cassette, so replay makes deterministic ones:
/// the same recording always yields the same tokens.
public enum ReplayClientToken {
    /// Signature part of every replay token: it is not signed, and says so.
    public static let signature = "replay"

    /// A JWT-shaped token: `base64url({"alg":"none","typ":"JWT"})` `.`
    /// `base64url({"session_id":…,"sessproxy":"replay"})` `.` `replay`.
    public static func clientToken(sessionID: String?) -> String {
        let payload: JSONValue = .object([
            JSONMember(key: "session_id", value: sessionID.map(JSONValue.string) ?? .null),
            JSONMember(key: "sessproxy", value: "replay"),
        ])
        return headerSegment + "." + base64URL(JSONSerializer.bytes(payload)) + "." + signature
    }

    private static let headerSegment = base64URL(JSONSerializer.bytes(["alg": "none", "typ": "JWT"]))

    /// A UUID-shaped authorization token derived from the recorded pseudonym, so equal real
    /// tokens (equal pseudonyms) give equal stand-ins and different ones stay different.
    public static func authorizationToken(replacing redacted: String) -> String {
        uuidShaped(from: "sessproxy-authorization-token:" + redacted)
    }

    /// Lower-case `8-4-4-4-12` hex text from the SHA-256 of `seed`, version nibble 4 and
    /// RFC 4122 variant so that strict UUID parsers accept it.
    static func uuidShaped(from seed: String) -> String {
        var bytes = Array(SHA256.hash(data: Array(seed.utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return [bytes[0..<4], bytes[4..<6], bytes[6..<8], bytes[8..<10], bytes[10..<16]].map(HexText.string).joined(separator: "-")
    }

    /// Base64url without padding (JWT segments).
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(base64URLAlphabet[Int((chunk >> UInt32(shift)) & 0x3F)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let chunk = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(base64URLAlphabet[Int((chunk >> 18) & 0x3F)])
            out.append(base64URLAlphabet[Int((chunk >> 12) & 0x3F)])
            if rest == 2 { out.append(base64URLAlphabet[Int((chunk >> 6) & 0x3F)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
}
