import SessproxyCore

/// Splits a recording into sessions in order of first appearance. A create that got no session
/// (a rejected create) still starts a session of its own, so that yesterday's successful create
/// lines up with today's failing one; calls with no session at all form one separate group.
struct SessionGrouping {
    struct Group {
        var sessionID: String?
        var exchanges: [RecordedExchange]
    }

    private(set) var sessions: [Group] = []
    private(set) var unscoped = Group(sessionID: nil, exchanges: [])

    init(_ exchanges: [RecordedExchange]) {
        var positions: [String: Int] = [:]
        for exchange in exchanges {
            if let id = exchange.sessionID, !id.isEmpty {
                if let position = positions[id] {
                    sessions[position].exchanges.append(exchange)
                } else {
                    positions[id] = sessions.count
                    sessions.append(Group(sessionID: id, exchanges: [exchange]))
                }
            } else if exchange.operation == .create {
                sessions.append(Group(sessionID: nil, exchanges: [exchange]))
            } else {
                unscoped.exchanges.append(exchange)
            }
        }
    }
}
