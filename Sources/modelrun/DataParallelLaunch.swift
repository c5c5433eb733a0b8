import Foundation
import ModelRuntime

/// How `modelrun train` joins a data-parallel run: when an MPI launcher (`mpirun -np K`)
/// started the process, it trains as one of K ranks; otherwise MPI is never initialised.
enum DataParallelLaunch {
    /// Set to 1 to make every rank, not only rank 0, write its trained model, to the output
    /// path with `.rank<r>` before the extension (tests compare the ranks' weights with it).
    static let everyRankWritesVariable = "MODELRUN_WRITE_EVERY_RANK"

    /// The MPI communicator when an MPI launcher started this process; nil otherwise.
    static func communicator() throws(RuntimeError) -> MPICommunicator? {
        guard MPICommunicator.isLaunched() else { return nil }
        return try MPICommunicator.world()
    }

    /// Where rank `rank` (> 0) writes its model when `MODELRUN_WRITE_EVERY_RANK=1`, else nil:
    /// `out.model` → `out.rank1.model`.
    static func rankOutput(_ output: String, rank: Int) -> String? {
        guard ProcessInfo.processInfo.environment[everyRankWritesVariable] == "1" else { return nil }
        let url = URL(fileURLWithPath: output)
        let ext = url.pathExtension
        let base = url.deletingPathExtension().path
        return ext.isEmpty ? "\(base).rank\(rank)" : "\(base).rank\(rank).\(ext)"
    }
}
