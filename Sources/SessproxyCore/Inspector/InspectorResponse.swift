/// What the inspector answers: a whole body, or a stream of server-sent events.
public struct InspectorResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Chunks written as they come; the stream ends when the client goes or is dropped.
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    public var headers: [HeaderField]
    public var body: Body

    public init(status: Int, headers: [HeaderField], body: Body) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ value: JSONValue, status: Int = 200) -> InspectorResponse {
        InspectorResponse(
            status: status, headers: [HeaderField(name: "Content-Type", value: "application/json"), HeaderField(name: "Cache-Control", value: "no-store")],
            body: .bytes(JSONSerializer.bytes(value, style: .compact)))
    }

    /// A one-line error in the API's shape: `{"error": "…"}`.
    public static func error(_ status: Int, _ message: String) -> InspectorResponse {
        json(.object([JSONMember(key: "error", value: .string(message))]), status: status)
    }

    /// The same error as a page, for a browser that opened a page's address: it declares an
    /// empty icon, so the browser does not ask for `/favicon.ico`, which on this port is the
    /// proxy's (recorded in record mode, a miss in replay).
    public static func errorPage(_ status: Int, _ message: String) -> InspectorResponse {
        var text = ""
        for character in message {
            switch character {
            case "<": text += "&lt;"
            case ">": text += "&gt;"
            case "&": text += "&amp;"
            case "\"": text += "&quot;"
            default: text.append(character)
            }
        }
        let page = """
            <!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">\
            <title>sessproxy inspector</title></head><body><p>\(text)</p></body></html>

            """
        return InspectorResponse(
            status: status,
            headers: [
                HeaderField(name: "Content-Type", value: "text/html; charset=utf-8"), HeaderField(name: "Cache-Control", value: "no-store"),
                // The empty icon (`data:,`) is allowed, so that a browser asks for no `/favicon.ico`.
                HeaderField(name: "Content-Security-Policy", value: "default-src 'none'; img-src data:"),
            ],
            body: .bytes(Array(page.utf8)))
    }
}
