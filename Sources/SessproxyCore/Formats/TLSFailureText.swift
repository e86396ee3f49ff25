/// A TLS library's error in words for a one-line message: BoringSSL's reason
/// (`…OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /…/handshake.cc:320` → "certificate verify
/// failed"), NIOSSL's own sentence, never a type dump or a source path of the build.
public enum TLSFailureText {
    public static func words(_ description: String) -> String {
        if let range = description.range(of: "OPENSSL_internal:") {
            let reason = description[range.upperBound...].prefix(while: { $0.isUppercase || $0.isNumber || $0 == "_" })
            if !reason.isEmpty { return reason.lowercased().replacingOccurrences(of: "_", with: " ") }
        }
        let line = description.split(separator: "\n").first.map(String.init) ?? description
        // `NIOSSLExtraError.failedToValidateHostname: Couldn't find x in certificate from peer`
        if line.hasPrefix("NIOSSLExtraError"), let colon = line.range(of: ": ") { return String(line[colon.upperBound...]) }
        if line.hasPrefix("handshakeFailed") { return "the handshake failed" }
        let cut = line.components(separatedBy: " at /").first ?? line
        return cut.count > 200 ? String(cut.prefix(200)) : cut
    }

    /// What a certificate that does not verify must be, for a message that says how to mend it.
    public static let verifyHint = "the certificate must be signed by a trusted authority, name the host, and be in date"
}
