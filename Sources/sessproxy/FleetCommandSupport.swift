import ArgumentParser
import Foundation
import SessproxyCore
import SessproxyFleet
import SessproxyServing
import SessproxyStore
import Synchronization

/// Parsing shared by `push` and `record --ship`.
enum FleetCommandSupport {
    struct Target {
        var location: FleetLocation
        var recording: String
    }

    /// The store and recording: `--recording` or the URL's `?recording=`; a bad name or URL is a
    /// one-line error.
    static func target(store: String, recording: String?, sidecar: String?) throws -> Target {
        let location: FleetLocation
        do {
            location = try FleetLocation(parsing: store)
        } catch {
            throw ValidationError(error.description)
        }
        guard let name = recording ?? location.recording else {
            throw ValidationError("name the fleet recording with --recording NAME (or ?recording=NAME in the URL)")
        }
        if let recording, let named = location.recording, named != recording {
            throw ValidationError("the URL names recording '\(named)' and --recording '\(recording)'; name it once")
        }
        do {
            try FleetLocation.checkRecordingName(name)
            if let sidecar { try FleetLocation.checkRecordingName(sidecar, what: "sidecar id") }
        } catch {
            throw ValidationError(error.description)
        }
        return Target(location: location.with(recording: name), recording: name)
    }
}
