import Dispatch
import ModelCompiler

/// A kernel that runs on library primitives names the implementations they got, so that a
/// fallback to a reference kernel shows at once (`modelrun bench --verbose`).
protocol ReportsImplementation {
    /// oneDNN's names for what runs, e.g. ["reorder:jit", "brgconv:avx512_core"].
    var implementations: [String] { get }
}

/// The time one node takes in a run, and what runs it.
public struct NodeProfile: Codable, Sendable {
    public var node: String
    public var op: String
    /// oneDNN implementations, or "swift" for the runtime's own kernels.
    public var implementation: String
    /// Median over the profiled runs.
    public var milliseconds: Double
}

extension InferenceSession {
    /// Runs the whole (unsplit) plan for `feeds` `runs` times, timing each node; the median per
    /// node, in plan order. Profiling runs are separate from timed benchmark runs: the clock
    /// reads between nodes would disturb them.
    public func profile(_ feeds: [String: Tensor], runs: Int = 10) throws(RuntimeError) -> [NodeProfile] {
        try validate(feeds)
        let (entry, arena) = try borrow(feeds, outputNames, rows: nil)
        defer { giveBack(arena, to: entry) }
        let plan = entry.plan
        for (value, name) in plan.feedSlots {
            if let tensor = feeds[name] {
                arena.table[value] = tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            }
        }
        var times = [[Double]](repeating: [], count: plan.steps.count)
        withExtendedLifetime(feeds) {
            for _ in 0..<max(runs, 1) {
                for index in plan.steps.indices {
                    let start = DispatchTime.now().uptimeNanoseconds
                    plan.execute(step: index, in: arena)
                    times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                }
            }
        }
        return plan.steps.enumerated().map { index, step in
            let implementation = (step.kernel as? ReportsImplementation)?.implementations.joined(separator: " + ")
            let sorted = times[index].sorted()
            return NodeProfile(
                node: step.node, op: step.op?.rawValue ?? "", implementation: implementation ?? "swift",
                milliseconds: sorted[sorted.count / 2])
        }
    }

    /// The instruction set oneDNN generates its kernels for on this CPU, and its version.
    public static var mathLibrary: String { "oneDNN \(OneDNN.version), \(OneDNN.instructionSet)" }
}
