import CMPI
import Foundation
import Synchronization

/// The collectives of a data-parallel run over MPI (Open MPI 4.1; any launcher that sets up
/// `MPI_COMM_WORLD`: `mpirun`, `mpiexec`, `srun`).
///
/// MPI is initialised only when the process was launched by one (`isLaunched`), so a plain
/// `modelrun train` never touches it. Errors return instead of aborting (`MPI_ERRORS_RETURN`),
/// and a watchdog ends the process with a clear message when a collective waits longer than
/// the timeout: a rank that died leaves the others blocked in their next collective, which
/// MPI alone does not always detect.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let world: MPI_Comm
    private let watchdog: CollectiveWatchdog
    private let failureState = Mutex<RuntimeError?>(nil)
    /// MPI may be initialised once per process; the one communicator is kept here.
    nonisolated(unsafe) private static var shared: MPICommunicator?
    private static let lock = NSLock()

    /// The environment variable that overrides the collective timeout, in seconds.
    public static let timeoutVariable = "MODELRUN_MPI_TIMEOUT"
    /// Seconds a collective may wait for the other ranks (an epoch's evaluation on one rank
    /// can keep the others waiting, so this is generous).
    public static let defaultTimeout: Double = 600

    /// Whether an MPI launcher started this process (Open MPI's `mpirun` sets
    /// `OMPI_COMM_WORLD_SIZE`; PMIx launchers such as `srun --mpi=pmix` set `PMIX_RANK`).
    public static func isLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// The communicator of all ranks, initialising MPI on the first call.
    public static func world(
        timeout: Double = timeoutFromEnvironment()
    ) throws(RuntimeError) -> MPICommunicator {
        lock.lock()
        defer { lock.unlock() }
        if let shared { return shared }
        let made = try MPICommunicator(timeout: timeout)
        shared = made
        return made
    }

    /// `MODELRUN_MPI_TIMEOUT` when it is a positive number of seconds, else the default.
    public static func timeoutFromEnvironment() -> Double {
        let text = ProcessInfo.processInfo.environment[timeoutVariable] ?? ""
        guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return defaultTimeout }
        return seconds
    }

    private init(timeout: Double) throws(RuntimeError) {
        var provided: Int32 = 0
        // SERIALIZED: the trainer calls MPI from one thread at a time, not always the same one.
        var code = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
        guard code == MPI_SUCCESS else {
            throw .communication(rank: -1, reason: "MPI_Init_thread failed: \(Self.message(code))")
        }
        world = cmpi_comm_world()
        code = MPI_Comm_set_errhandler(world, cmpi_errors_return())
        var rank: Int32 = 0
        var size: Int32 = 0
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        self.rank = Int(rank)
        self.size = Int(size)
        guard code == MPI_SUCCESS else {
            throw .communication(rank: self.rank, reason: "MPI_Comm_set_errhandler failed: \(Self.message(code))")
        }
        watchdog = CollectiveWatchdog(rank: Int(rank), timeout: timeout)
    }

    public var failure: RuntimeError? { failureState.withLock { $0 } }

    public func sumInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        var offset = 0
        // MPI counts are Int32: large buffers go in chunks.
        while offset < count {
            let chunk = min(count - offset, Int(Int32.max))
            let code = watchdog.guarding { allReduceYielding(values + offset, count: Int32(chunk)) }
            if code != MPI_SUCCESS {
                record("MPI_Allreduce of \(count) floats failed: \(Self.message(code))")
                return false
            }
            offset += chunk
        }
        return true
    }

    /// MPI_Allreduce of floats (sum, in place) that gives up the CPU while it waits: Open MPI
    /// polls in a blocking collective, and a rank spinning for a peer that the OS has not yet
    /// scheduled takes the very core that peer needs (measured: 3× the CPU time of one process
    /// for 2 ranks on a busy 2-core machine). Polls for ~50 µs, then sleeps 50 µs between polls.
    private func allReduceYielding(_ values: UnsafeMutablePointer<Float>, count: Int32) -> Int32 {
        var request: MPI_Request?
        var code = MPI_Iallreduce(cmpi_in_place(), values, count, cmpi_float(), cmpi_sum(), world, &request)
        guard code == MPI_SUCCESS else { return code }
        var done: Int32 = 0
        var polls = 0
        while done == 0 {
            code = MPI_Test(&request, &done, nil)
            guard code == MPI_SUCCESS else { return code }
            polls += 1
            if done == 0 && polls > 200 { usleep(50) }
        }
        return MPI_SUCCESS
    }

    public func sum(_ values: [Double]) throws(RuntimeError) -> [Double] {
        var result = values
        let count = Int32(clamping: values.count)
        let code = result.withUnsafeMutableBufferPointer { buffer in
            watchdog.guarding {
                MPI_Allreduce(cmpi_in_place(), buffer.baseAddress, count, cmpi_double(), cmpi_sum(), world)
            }
        }
        guard code == MPI_SUCCESS else {
            throw record("MPI_Allreduce of \(count) doubles failed: \(Self.message(code))")
        }
        return result
    }

    public func broadcast(_ values: UnsafeMutablePointer<Float>, count: Int, from root: Int) throws(RuntimeError) {
        var offset = 0
        while offset < count {
            let chunk = min(count - offset, Int(Int32.max))
            let code = watchdog.guarding { MPI_Bcast(values + offset, Int32(chunk), cmpi_float(), Int32(root), world) }
            guard code == MPI_SUCCESS else {
                throw record("MPI_Bcast of \(count) floats from rank \(root) failed: \(Self.message(code))")
            }
            offset += chunk
        }
    }

    /// Ends MPI (call once, when every rank is done); later collectives are not allowed.
    public func finalize() {
        watchdog.stop()
        MPI_Finalize()
    }

    @discardableResult
    private func record(_ reason: String) -> RuntimeError {
        let error = RuntimeError.communication(rank: rank, reason: reason)
        failureState.withLock { if $0 == nil { $0 = error } }
        return error
    }

    /// MPI's text for an error code.
    private static func message(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(text) (MPI error \(code))"
    }
}
