import Foundation
import GRDB

extension Cassette {
    /// A connection for folding the WAL back into the file. A restart or truncate holds off the
    /// writer while it waits for readers, so it polls as often as the writer does (SQLite's busy
    /// timeout sleeps up to 100 ms) and gives up after 50 ms.
    static func foldingConfiguration(label: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = label
        configuration.busyMode = .callback { tries in
            usleep(200)
            return tries < 250
        }
        return configuration
    }

    /// Folds the WAL back into the main file, so that the -wal file holds nothing stale. Waits
    /// for other connections as any write does (`waitForLock`): for commands that need it done.
    public func checkpoint() throws {
        // Read-only, there is nothing to fold: such an opening never has a `-wal` file beside it.
        guard !isReadOnly else { return }
        try pool.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// `checkpoint()` at a start-up, best effort, on a connection of its own: nothing happens
    /// when another connection (a recorder, a second replay still reading) keeps it from
    /// finishing within 50 ms.
    func foldWALBack() {
        guard let connection = try? DatabaseQueue(path: path, configuration: Self.foldingConfiguration(label: "sessproxy.fold")) else { return }
        _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }
}
