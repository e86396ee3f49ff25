import Logging

/// Standard-error logging that formats metadata only when a line is actually written.
/// `StreamLogHandler` re-renders its metadata text every time a key is set, and the server
/// sets a request id on every request's logger, so at the default level (nothing logged per
/// request) that rendering was pure overhead on the hot path.
struct DeferredMetadataLogHandler: LogHandler {
    private var stream: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
    }

    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        let merged = event.metadata.map { metadata.merging($0) { _, new in new } } ?? metadata
        event.metadata = merged.isEmpty ? nil : merged
        stream.log(event: event)
    }
}
