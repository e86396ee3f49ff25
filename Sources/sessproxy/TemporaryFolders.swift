import Foundation

/// Folders removed when the process exits (pulled fleet recordings).
enum TemporaryFolders {
    nonisolated(unsafe) private static var paths: [String] = []
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered = false

    static func removeAtExit(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(path)
        if !registered {
            registered = true
            atexit { TemporaryFolders.removeAll() }
        }
    }

    static func removeAll() {
        lock.lock()
        defer { lock.unlock() }
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
    }
}
