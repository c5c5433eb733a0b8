import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Ends the process with a clear message when a collective waits longer than `timeout`
/// seconds: the other ranks of a run whose rank died would otherwise wait forever.
///
/// A background thread checks once a second; the collective itself only stores a timestamp.
final class CollectiveWatchdog: Sendable {
    private let rank: Int
    private let timeout: Double
    /// Uptime in nanoseconds when the collective in flight started; 0 when none is.
    private let started = Atomic<UInt64>(0)
    private let running = Atomic<Bool>(true)

    init(rank: Int, timeout: Double) {
        self.rank = rank
        self.timeout = timeout
        let thread = Thread { [self] in watch() }
        thread.name = "mpi-watchdog"
        thread.start()
    }

    /// Runs `collective` under the watch.
    func guarding<T>(_ collective: () -> T) -> T {
        started.store(max(DispatchTime.now().uptimeNanoseconds, 1), ordering: .releasing)
        defer { started.store(0, ordering: .releasing) }
        return collective()
    }

    func stop() { running.store(false, ordering: .releasing) }

    private func watch() {
        while running.load(ordering: .acquiring) {
            Thread.sleep(forTimeInterval: 1)
            let since = started.load(ordering: .acquiring)
            guard since != 0 else { continue }
            let now = DispatchTime.now().uptimeNanoseconds
            let waited = Double(now > since ? now - since : 0) / 1e9
            guard waited > timeout else { continue }
            let message =
                "error[runtime.communication]: rank \(rank): a collective has waited \(Int(waited)) s for the other "
                + "ranks; another rank has died or hangs, so this rank stops (\(MPICommunicator.timeoutVariable) "
                + "sets the timeout in seconds, now \(timeout))\n"
            FileHandle.standardError.write(Data(message.utf8))
            // _exit: MPI's own exit handlers could block on the dead peer.
            _exit(1)
        }
    }
}
