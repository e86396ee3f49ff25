/// The inspector as the server sees it: the page and JSON API routes, answered by whatever the
/// serving wiring plugs in (the server does not know the store or the diff engine behind it).
public protocol InspectorService: Sendable {
    func respond(to request: InspectorRequest) async -> InspectorResponse
    /// The page's address with its token, printed at start (`http://127.0.0.1:8080/__sessproxy/ui/?token=…`).
    func pageURL(port: Int) -> String
    /// Once the listener is bound, the port a request's `Host` must name.
    func listening(on port: Int)
}
