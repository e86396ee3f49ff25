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
}
