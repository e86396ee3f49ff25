import Foundation

/// Routes a request on method and path alone (reference §11): `POST /payments/v1/sessions`
/// (trailing slash tolerated) is a create, `GET|POST /payments/v1/sessions/{id}` a read or an update.
public enum KlarnaRouteClassifier {
    static let sessionsPrefix = "/payments/v1/sessions"

    public static func classify(method: String, target: String) -> RouteClassification {
        let path = pathOnly(target)
        let upper = method.uppercased()
        if path == sessionsPrefix || path == sessionsPrefix + "/" {
            return RouteClassification(operation: upper == "POST" ? .create : .other, sessionID: nil)
        }
        guard path.hasPrefix(sessionsPrefix + "/") else { return RouteClassification(operation: .other, sessionID: nil) }
        var id = String(path.dropFirst(sessionsPrefix.count + 1))
        if id.hasSuffix("/") { id.removeLast() }
        guard !id.isEmpty, !id.contains("/") else { return RouteClassification(operation: .other, sessionID: nil) }
        let sessionID = PercentEncoding.decode(id, plusIsSpace: false)
        switch upper {
        case "GET": return RouteClassification(operation: .read, sessionID: sessionID)
        case "POST": return RouteClassification(operation: .update, sessionID: sessionID)
        default: return RouteClassification(operation: .other, sessionID: sessionID)
        }
    }

    /// The session id a create response carries in its body, if any.
    public static func sessionID(fromCreateResponse body: [UInt8]) -> String? {
        guard !body.isEmpty, let json = try? JSONParser.parse(body) else { return nil }
        return json["session_id"]?.stringValue
    }

    /// Path without query string or fragment. Looks at bytes, not characters: a `?` or `#`
    /// ends the path whatever follows it (RFC 3986), and this runs several times per exchange.
    public static func pathOnly(_ target: String) -> String {
        if let end = target.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return String(target[..<end])
        }
        return target
    }

    /// Path and session of a request target with the session id replaced, used by replay to
    /// line up a live request with a recorded one of the same shape.
    public static func replacingSessionID(in target: String, with replacement: String) -> String {
        let classification = classify(method: "GET", target: target)
        guard let id = classification.sessionID else { return target }
        return target.replacingFirst(sessionsPrefix + "/" + id, with: sessionsPrefix + "/" + replacement)
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
