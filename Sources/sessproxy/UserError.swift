import SessproxyStore

/// A problem the user can fix (missing file, bad option, port in use): printed as one line,
/// exit code 2, never a stack trace.
struct UserError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    init(_ error: CassetteError) {
        self.message = error.description
    }
}

/// Opens a cassette for reading, turning every failure into a one-line `UserError`;
/// `readingOnly` leaves a cassette nobody writes byte for byte as it was (`Cassette.open`).
func openCassette(_ path: String, readingOnly: Bool = false) throws -> Cassette {
    do {
        return try Cassette.open(path: path, readingOnly: readingOnly)
    } catch {
        throw UserError(error)
    }
}

/// Opens a cassette a command changes (`redact` rewrites rows, `push` keeps its progress in the
/// file): one that is read-only here is refused before any work is done.
func openCassetteForChanging(_ path: String, because purpose: String) throws -> Cassette {
    let cassette = try openCassette(path)
    guard !cassette.isReadOnly else {
        throw UserError("\(path): cassette is read-only here, and \(purpose)")
    }
    return cassette
}
