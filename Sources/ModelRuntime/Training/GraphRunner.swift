import ModelCompiler
import ModelFormat

/// Runs a training or evaluation graph whose parameters live in a `ParameterStore`: plans per
/// feed-shape signature (a full batch and the last partial batch give two), one arena each,
/// weights that training does not change loaded once.
///
/// Not for concurrent use: a trainer steps one batch at a time.
final class GraphRunner {
    let graph: Graph
    let store: ParameterStore
    let threads: Int
    private let weights: [Int: Tensor]
    private var plans: [(shapes: [String: [Int]], fetches: [String], plan: ExecutionPlan, arena: Arena)] = []

    init(graph: Graph, store: ParameterStore, threads: Int) throws(RuntimeError) {
        self.graph = graph
        self.store = store
        self.threads = threads
        var weights: [Int: Tensor] = [:]
        for (id, tensor) in graph.initializers where !store.contains(graph[id].name) {
            weights[id.index] = try InferenceSession.load(tensor)
        }
        self.weights = weights
    }

    /// Runs the graph on `feeds` and returns the `fetches`.
    func run(_ feeds: [String: Tensor], fetching fetches: [String]) throws(RuntimeError) -> [String: Tensor] {
        let shapes = feeds.mapValues(\.shape)
        let entry: (plan: ExecutionPlan, arena: Arena)
        if let cached = plans.first(where: { $0.shapes == shapes && $0.fetches == fetches }) {
            entry = (cached.plan, cached.arena)
        } else {
            for input in graph.inputs where feeds[graph[input].name] == nil {
                throw .input(name: graph[input].name, reason: "missing; expected \(graph[input].type)")
            }
            var planner = Planner(graph: graph, weights: weights, threads: threads)
            planner.persistent = store.placements(in: graph)
            let plan = try planner.plan(feedShapes: shapes, fetch: fetches)
            let arena = Arena(plan: plan)
            plans.append((shapes, fetches, plan, arena))
            entry = (plan, arena)
        }
        for input in graph.inputs {
            let name = graph[input].name
            guard let tensor = feeds[name] else { continue }
            let declared = graph[input].type
            guard ElementType(declared.dataType) == tensor.elementType else {
                throw .input(
                    name: name, reason: "expected \(declared.dataType.onnxName) elements, given \(tensor.elementType)")
            }
        }
        for (value, name) in entry.plan.feedSlots {
            if let tensor = feeds[name] {
                entry.arena.table[value] = tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            }
        }
        withExtendedLifetime(feeds) { entry.plan.execute(in: entry.arena) }
        var results: [String: Tensor] = [:]
        for (name, value) in entry.plan.fetches {
            var tensor = Tensor(zeros: entry.plan.shapes[value], type: entry.plan.types[value])
            if let source = entry.arena.table[value] {
                tensor.withUnsafeMutableBytes { destination in
                    if let base = destination.baseAddress {
                        base.copyMemory(from: source, byteCount: destination.count)
                    }
                }
            }
            results[name] = tensor
        }
        return results
    }
}
