import Foundation

/// What a recorded row holds of an answer, decided in one place for record mode (and anything
/// else that stores answers): the status and headers the app got, the body decoded as stored,
/// the original encoding, the session a successful create names, and who produced the answer.
extension RecordedExchange {
    /// The upstream answered: `headers` as the app got them, `decodedBody` the body after
    /// undoing `Content-Encoding` (what the cassette stores), `encoding` that header's value.
    public mutating func recordUpstreamAnswer(status: Int, headers: [HeaderField], decodedBody: [UInt8], encoding: String?) {
        self.status = status
        responseHeaders = headers
        responseBody = decodedBody
        responseEncoding = encoding.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty || $0 == "identity" ? nil : $0 }
        proxyError = nil
        // A create learns its session from the answer (a refused one has none).
        if operation == .create, (200..<300).contains(status) {
            sessionID = KlarnaRouteClassifier.sessionID(fromCreateResponse: decodedBody)
        }
    }

    /// sessproxy answered itself (upstream failure, body too large): the row says so in
    /// `proxy_error` with the Klarna-shaped error's code.
    public mutating func recordOwnAnswer(status: Int, headers: [HeaderField], error: KlarnaErrorBody) {
        self.status = status
        responseHeaders = headers
        responseBody = error.bytes
        responseEncoding = nil
        proxyError = error.errorCode
    }
}
