import SessproxyCore

/// `inspect`'s mode: the listener serves the inspector and health, and proxies nothing — a
/// request meant for Klarna gets a Klarna-shaped 404 saying so.
public struct NotProxyingHandler: ExchangeHandler {
    public let mode = "inspect"
    let cassettes: [String]

    public init(cassettes: [String]) {
        self.cassettes = cassettes
    }

    public func handle(_ request: ProxyRequest) async -> ProxyResponse {
        let route = KlarnaRouteClassifier.classify(method: request.method, target: request.target)
        let error = KlarnaErrorBody(
            errorCode: SessproxyErrorCode.notProxying,
            errorMessages: ["sessproxy inspect shows recorded cassettes and forwards nothing; use record or replay to serve traffic"])
        return .klarnaError(status: 404, error, operation: route.operation)
    }

    public func healthMembers() -> [JSONMember] {
        [JSONMember(key: "cassettes", value: .array(cassettes.map { .string($0) }))]
    }
}
