import Foundation
import Logging

/// Logging to stderr at a level from `SESSPROXY_LOG_LEVEL` (default `info`).
enum LoggingSetup {
    static func bootstrap() -> Logger {
        let level = ProcessInfo.processInfo.environment["SESSPROXY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in DeferredMetadataLogHandler(label: label, level: level) }
        return Logger(label: "sessproxy")
    }
}
