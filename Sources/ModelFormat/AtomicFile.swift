import Foundation

/// Atomic replacement of a file's contents, and the clean-up of what a killed writer left.
///
/// A write goes to `.<name>.tmp-<pid>-<UUID>` beside the target, is flushed, then renamed over
/// the target, so readers see the old file or the new one, never a partial one. A process
/// killed before the rename leaves its temporary file behind; the next write of the same
/// target removes every such file whose writer is no longer running (and the older
/// `.<name>.tmp-<UUID>` form, which names no writer). Temporary files of a write in progress are
/// registered, so a command-line tool can remove them when it is interrupted.
public enum AtomicFile {
    /// Writes `data` to `url` through a temporary file and a rename.
    public static func write(_ data: Data, to url: URL) throws(FormatError) {
        removeStaleTemporaries(for: url)
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(
            temporaryPrefix(for: url) + "\(getpid())-\(UUID().uuidString)")
        InFlight.shared.insert(temporary.path)
        defer { InFlight.shared.remove(temporary.path) }
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw FormatError.writeFailed(file: url.path, reason: reason)
            }
        } catch let error as FormatError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: url.path, reason: error.localizedDescription)
        }
    }

    /// `.<name>.tmp-`: the start of every temporary file name for `url`.
    static func temporaryPrefix(for url: URL) -> String { ".\(url.lastPathComponent).tmp-" }

    /// Removes the temporary files of earlier writes of `url` whose process has ended (killed
    /// before its rename); returns their paths. A file whose writer still runs is left alone.
    @discardableResult
    public static func removeStaleTemporaries(for url: URL) -> [String] {
        let directory = url.deletingLastPathComponent()
        let prefix = temporaryPrefix(for: url)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let tail = name.dropFirst(prefix.count)
            // `<pid>-<UUID>`; the older `<UUID>` form names no process, so nothing still writes it.
            if let dash = tail.firstIndex(of: "-"), let pid = pid_t(tail[..<dash]), isRunning(pid) { continue }
            let path = directory.appendingPathComponent(name).path
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// Removes the temporary files of the writes in progress in this process (for an interrupt
    /// handler: the process is about to end, so they would never be renamed).
    public static func removeInFlightTemporaries() {
        for path in InFlight.shared.paths { unlink(path) }
    }

    /// Whether a process with this id exists (EPERM: it exists but belongs to someone else).
    private static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// The temporary files being written now, across threads.
    private final class InFlight: @unchecked Sendable {
        static let shared = InFlight()
        private let lock = NSLock()
        private var set: Set<String> = []

        func insert(_ path: String) { lock.withLock { _ = set.insert(path) } }
        func remove(_ path: String) { lock.withLock { _ = set.remove(path) } }
        var paths: [String] { lock.withLock { Array(set) } }
    }
}
