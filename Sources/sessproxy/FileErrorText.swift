import Foundation

/// Why writing a file failed, in the words people know (`strerror`'s "Permission denied", or the
/// folder that is missing) rather than Foundation's "The operation could not be completed".
enum FileErrorText {
    static func describe(_ error: any Error, writing path: String) -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isFolder: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) { return "folder \(folder) does not exist" }
        if !isFolder.boolValue { return "\(folder) is not a folder" }
        if access(folder, W_OK) != 0 { return "cannot create files in \(folder): \(String(cString: strerror(errno)))" }
        if let code = posixCode(of: error) {
            // A file written whole is first written beside its name and renamed: a folder that
            // refuses new files (`/proc`) says ENOENT about a file nobody named.
            if code == ENOENT { return "cannot create files in \(folder): \(String(cString: strerror(code)))" }
            return String(cString: strerror(code))
        }
        return error.localizedDescription
    }

    /// Why making a folder (and the folders above it) failed: the nearest entry on its way that
    /// exists is not a folder, is a link to nothing, or refuses new entries.
    static func describe(_ error: any Error, creatingFolder path: String) -> String {
        var nearest = URL(fileURLWithPath: path).standardizedFileURL
        var entry = stat()
        while lstat(nearest.path, &entry) != 0, [ENOENT, ENOTDIR, ELOOP].contains(errno), nearest.path != "/" { nearest.deleteLastPathComponent() }
        if stat(nearest.path, &entry) != 0 {
            let reason = errno
            if reason == ENOENT, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: nearest.path) {
                return "\(nearest.path) links to \(target), which does not exist"
            }
            return "\(nearest.path): \(String(cString: strerror(reason)))"
        }
        if entry.st_mode & S_IFMT != S_IFDIR { return "\(nearest.path) is not a folder" }
        let reason = posixCode(of: error).map { String(cString: strerror($0)) } ?? error.localizedDescription
        if nearest.path == URL(fileURLWithPath: path).standardizedFileURL.path { return "\(path): \(reason)" }
        if access(nearest.path, W_OK) != 0 { return "cannot create folders in \(nearest.path): \(String(cString: strerror(errno)))" }
        return "cannot create folders in \(nearest.path): \(reason)"
    }

    /// The errno behind a Foundation error, where it kept one.
    private static func posixCode(of error: any Error) -> Int32? {
        var current: (any Error)? = error
        while let error = current {
            if let posix = error as? POSIXError { return posix.code.rawValue }
            let nsError = error as NSError
            if nsError.domain == NSPOSIXErrorDomain { return Int32(nsError.code) }
            current = nsError.userInfo[NSUnderlyingErrorKey] as? any Error
        }
        return nil
    }
}
