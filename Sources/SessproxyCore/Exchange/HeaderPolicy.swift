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
    /// that its `Connection` header lists, no `Host` (rewritten to the upstream's) and no
    /// `Content-Length` (the client library frames the body).
    public static func forwardedRequestHeaders(_ headers: [HeaderField]) -> [HeaderField] {
        let listed = Set(
            headers.filter { $0.name.lowercased() == "connection" }
                .flatMap { $0.value.split(separator: ",") }
                .map { $0.trimmingSpaces.lowercased() })
        return headers.filter { field in
            let name = field.name.lowercased()
            return !hopByHop.contains(name) && !listed.contains(name) && name != "host" && name != "content-length"
        }
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
