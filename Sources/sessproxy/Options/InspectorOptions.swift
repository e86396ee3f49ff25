import ArgumentParser
import Foundation
import SessproxyCore

/// The inspector's token, shared by `record`, `replay` and `inspect`: `--ui-token`, else
/// `SESSPROXY_UI_TOKEN`, else a random one per start (printed in the page's URL).
struct InspectorOptions: ParsableArguments {
    @Option(name: .customLong("ui-token"), help: "Token for the inspector page and API (default: $SESSPROXY_UI_TOKEN, else random per start).")
    var uiToken: String?

    func validate() throws {
        if let uiToken {
            try Self.check(uiToken, from: "--ui-token")
        } else if let token = Self.environmentToken {
            try Self.check(token, from: "SESSPROXY_UI_TOKEN")
        }
    }

    func token() -> String {
        uiToken ?? Self.environmentToken ?? InspectorAccess.randomToken()
    }

    private static var environmentToken: String? {
        ProcessInfo.processInfo.environment["SESSPROXY_UI_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A token travels in URLs and cookies: letters, digits, `-`, `_`, `.`, `~`; at least 16.
    static func check(_ token: String, from source: String) throws {
        let allowed = token.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.~".unicodeScalars.contains($0)) }
        guard allowed, token.count >= 16 else {
            throw ValidationError("\(source) must be at least 16 characters of letters, digits, -, _, . or ~")
        }
    }
}
