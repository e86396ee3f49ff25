import HummingbirdCore
import Logging
import NIOCore

/// Wraps a Hummingbird child channel so that each connection's handling runs on the event loop
/// of its own socket (see `EventLoopTaskExecutor`). Setup and behaviour are the wrapped channel's.
struct EventLoopPinnedChannel<Wrapped: ServerChildChannel>: ServerChildChannel {
    typealias Value = Wrapped.Value
    let wrapped: Wrapped

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        wrapped.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        let executor = EventLoopTaskExecutor(eventLoop: value.channel.eventLoop)
        await withTaskExecutorPreference(executor) {
            await wrapped.handle(value: value, logger: logger)
        }
    }
}
