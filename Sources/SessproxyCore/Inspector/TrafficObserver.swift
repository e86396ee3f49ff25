/// Told about traffic as it happens, for the inspector's live feed: called by the recording
/// handler after an exchange is committed (with its row id), by the cassette writer when an
/// exchange answered `pending` is committed after all, and by the replay handler after a request
/// is answered. Must return at once — it runs on the request's task or the writer's thread.
public protocol TrafficObserver: Sendable {
    func recorded(_ exchange: RecordedExchange)
    func served(_ request: ServedRequest)
}
