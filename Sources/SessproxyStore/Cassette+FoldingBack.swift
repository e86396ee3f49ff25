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

    /// Folds the whole WAL back into the file and truncates it, on a connection of its own;
    /// best effort: nothing happens when another connection (a recorder, a second replay still
    /// reading) keeps it from finishing within 50 ms.
    func foldWALBack() {
        guard let connection = try? DatabaseQueue(path: path, configuration: Self.foldingConfiguration(label: "sessproxy.fold")) else { return }
        _ = try? connection.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }
}
