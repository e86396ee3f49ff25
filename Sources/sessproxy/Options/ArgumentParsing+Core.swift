import SessproxyCore

extension ListenAddress: ArgumentParsing {
    static func parse(_ text: String) throws(ParseError) -> ListenAddress { try ListenAddress(parsing: text) }
}

extension UpstreamEndpoint: ArgumentParsing {
    static func parse(_ text: String) throws(ParseError) -> UpstreamEndpoint { try UpstreamEndpoint(parsing: text) }
}
