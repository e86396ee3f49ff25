/// Which headers cross sessproxy, in one place for every path they take: a client's request
/// going upstream, an upstream answer going to the client, a stored answer being replayed, and
/// a HAR entry being imported. Hop-by-hop headers (RFC 9110 §7.6.1, and any the request's
/// `Connection` names) never cross; framing (`Content-Length`) is always recomputed.
public enum HeaderPolicy {
    /// Hop-by-hop headers that a proxy must not forward.
    public static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade",
    ]

    /// A client's request headers as sent upstream (and recorded): no hop-by-hop headers, none
    /// that its `Connection` header lists, no `Host` (rewritten to the upstream's), no
    /// `Content-Length` (the client library frames the body) and no `Expect`. `Accept-Encoding` keeps only the
    /// codings sessproxy can undo for the cassette (`decodableCodings`).
    public static func forwardedRequestHeaders(_ headers: [HeaderField]) -> [HeaderField] {
        let listed = Set(
            headers.filter { $0.name.lowercased() == "connection" }
                .flatMap { $0.value.split(separator: ",") }
                .map { $0.trimmingSpaces.lowercased() })
        return headers.compactMap { field in
            let name = field.name.lowercased()
            // `Expect` is answered here (100 Continue); what goes upstream is the whole body.
            guard !hopByHop.contains(name), !listed.contains(name), name != "host", name != "content-length", name != "expect" else { return nil }
            guard name == "accept-encoding" else { return field }
            // Nothing decodable accepted: ask for no coding (a missing header would accept any).
            return HeaderField(name: field.name, value: acceptedDecodableCodings(field.value) ?? "identity")
        }
    }

    /// Content codings whose answers the cassette can store decoded (`BodyDecoding`).
    public static let decodableCodings: Set<String> = ["gzip", "x-gzip", "deflate", "identity"]

    /// An `Accept-Encoding` value without the codings sessproxy cannot decode (`br`, `zstd`):
    /// the upstream then answers in one it can, or unencoded, and the app still gets what it
    /// accepts. Nil when nothing is left (then `identity` is asked for). `*` becomes the
    /// decodable codings it stood for.
    static func acceptedDecodableCodings(_ value: String) -> String? {
        var kept: [String] = []
        for item in value.split(separator: ",") {
            let text = item.trimmingSpaces
            let coding = text.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
            if decodableCodings.contains(coding) {
                kept.append(String(text))
            } else if coding == "*" {
                let parameters = text.split(separator: ";", maxSplits: 1).dropFirst().first.map { ";" + $0 } ?? ""
                kept += ["gzip", "deflate"].map { $0 + parameters }
            }
        }
        return kept.isEmpty ? nil : kept.joined(separator: ", ")
    }

    /// An upstream answer's headers as the app gets them (and as recorded or imported): no
    /// hop-by-hop headers and no `Content-Length` (the server frames the body itself).
    public static func forwardedResponseHeaders(_ headers: [HeaderField]) -> [HeaderField] {
        headers.removing(hopByHop.union(["content-length"]))
    }

    /// A stored answer's headers as replay serves them: also no `Content-Encoding` (the body is
    /// stored decoded) and no `Sessproxy-Replay` of an earlier hop (replay adds its own).
    public static func replayedResponseHeaders(_ headers: [HeaderField]) -> [HeaderField] {
        headers.removing(hopByHop.union(["content-length", "content-encoding", ReplayAnswer.replayHeaderName.lowercased()]))
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var slice = self
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return slice
    }
}
