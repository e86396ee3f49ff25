extension OpenAPIDocument {
    /// Reads Klarna's document on a background thread, so that a server's first request does
    /// not wait for it and its start-up does not either.
    public static func warmUp() {
        Task.detached(priority: .utility) { _ = OpenAPIDocument.klarna }
    }

    /// Schemas by sessions operation, for callers that know the operation but not the request
    /// (the replay index keeps no targets); `other` has none.
    public func requestSchema(for operation: KlarnaOperation) -> SchemaNode? {
        sessionsOperation(operation)?.requestBody
    }

    public func responseSchema(for operation: KlarnaOperation, status: Int) -> SchemaNode? {
        sessionsOperation(operation)?.responses[String(status)]
    }

    private func sessionsOperation(_ operation: KlarnaOperation) -> Operation? {
        sessionsOperations[operation]
    }

    /// A request of each sessions operation, as the document's paths spell it.
    static func example(of operation: KlarnaOperation) -> (method: String, path: String)? {
        let sessions = KlarnaRouteClassifier.sessionsPrefix
        switch operation {
        case .create: return ("POST", sessions)
        case .read: return ("GET", sessions + "/{session_id}")
        case .update: return ("POST", sessions + "/{session_id}")
        case .other: return nil
        }
    }
}
