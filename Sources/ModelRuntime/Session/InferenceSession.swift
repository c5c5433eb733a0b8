import Foundation
import ModelCompiler
import ModelFormat

/// Runs a compiled model for inference.
///
/// Plans are built once per input-shape signature and cached; each `run` borrows an arena from
/// the plan's pool (making one only when all are busy), and kernels use the arena's scratch
/// region. `run(_:into:)` reuses the caller's result tensors, so a steady-state run allocates
/// nothing in a release build (`bench/allocations.sh` counts it: 0 per run).
/// `run` is safe to call from several threads at once.
///
/// With `threads` > 1, a graph that keeps the rows of its batch apart runs a large batch as
/// row ranges in parallel, each through a single-threaded plan for its row count
/// (`BatchSplit`, `runSplit`); otherwise kernels split their own work (`MatrixProduct`, `ParallelFor`).
public final class InferenceSession: @unchecked Sendable {
    /// The compiled model the session runs.
    public let model: ProtoModel
    let graph: Graph
    let weights: [Int: Tensor]
    /// Caller-owned buffers by value index (empty for inference).
    let persistent: [Int: UnsafeMutableRawPointer]
    public let threads: Int
    /// The ranks a data-parallel training graph's `AllReduce` nodes reduce over.
    let communicator: any Communicator
    let lock = NSLock()
    /// Cached plans; looked up by comparing shapes in place, so a lookup allocates nothing.
    private(set) var plans: [PlanEntry] = []
    /// Declared inputs, in graph order, with each symbolic dim's index into a per-run table.
    let declarations: [(name: String, type: TensorType, symbolSlots: [Int?])]
    private let symbolCount: Int
    /// How runs split the batch across threads (nil: they run whole; see `BatchSplit`).
    let batchSplit: BatchSplit?

    /// Batch sizes (with their fetch lists) whose part plans could not be built: they run whole
    /// without trying again. Guarded by `lock`.
    var unsplittable: [(rows: Int, fetches: [String])] = []

    final class PlanEntry {
        let plan: ExecutionPlan
        /// Feed shapes in `declarations` order.
        let shapes: [[Int]]
        let fetches: [String]
        let threads: Int
        /// For a part plan (threads 1, batch cut): whether its fetches and every batch-carrying
        /// value have the part's rows on axis 0, i.e. whether splitting is exact.
        let rowsPreserved: Bool
        var idle: [Arena] = []
        init(plan: ExecutionPlan, shapes: [[Int]], fetches: [String], threads: Int, rowsPreserved: Bool) {
            self.plan = plan
            self.shapes = shapes
            self.fetches = fetches
            self.threads = threads
            self.rowsPreserved = rowsPreserved
            idle.reserveCapacity(8)
        }
    }

    /// A session for a compiled model (see `Compiler`); `threads` bounds BLAS and kernel threads.
    public convenience init(_ compiled: CompiledModel, threads: Int = 1) throws(RuntimeError) {
        let graph: Graph
        do {
            graph = try Graph(compiled.model.graph)
        } catch {
            throw .compile(error.diagnostics)
        }
        try self.init(model: compiled.model, graph: graph, threads: threads)
    }

    /// A session for `graph` (of `model`); values named in `persistent` live in the caller's
    /// buffers (a trainer's parameters and state) instead of being loaded as weights.
    init(
        model: ProtoModel, graph: Graph, persistent: [String: UnsafeMutableRawPointer] = [:], threads: Int,
        communicator: any Communicator = SingleProcessCommunicator.shared
    ) throws(RuntimeError) {
        self.model = model
        self.communicator = communicator
        self.graph = graph
        self.threads = max(1, threads)
        var symbols: [String: Int] = [:]
        declarations = graph.inputs.map { id in
            let type = graph[id].type
            let slots: [Int?] = (type.dims ?? []).map { dim in
                guard case .symbol(let name) = dim else { return nil }
                if let slot = symbols[name] { return slot }
                symbols[name] = symbols.count
                return symbols.count - 1
            }
            return (graph[id].name, type, slots)
        }
        symbolCount = symbols.count
        outputNames = graph.outputs.map { graph[$0].name }
        var weights: [Int: Tensor] = [:]
        var persistentByIndex: [Int: UnsafeMutableRawPointer] = [:]
        for (id, tensor) in graph.initializers {
            if let pointer = persistent[graph[id].name] {
                persistentByIndex[id.index] = pointer
            } else {
                weights[id.index] = try InferenceSession.load(tensor)
            }
        }
        for node in graph.nodes where node.op == .constant {
            guard let output = node.outputs.first ?? nil else { continue }
            let bound = BoundNode(
                name: node.name, op: node.op, attributes: node.attributes, inputShapes: [], inputTypes: [],
                outputShapes: [], outputTypes: [], constants: [:])
            guard let value = ConstantKernel.value(bound) else {
                throw .bind(node: node.name, op: "Constant", reason: "no supported value attribute")
            }
            weights[output.index] = value
        }
        self.weights = weights
        self.persistent = persistentByIndex
        batchSplit =
            self.threads > 1 && persistentByIndex.isEmpty ? BatchSplit(graph: graph, weights: weights) : nil
    }

    /// Compiles `model` (read from `file`, for messages) at -O2 and opens a session.
    public convenience init(model: ProtoModel, file: URL? = nil, threads: Int = 1) throws(RuntimeError) {
        let compiled: CompiledModel
        do {
            compiled = try Compiler().compile(model, file: file)
        } catch {
            throw .compile(error.diagnostics)
        }
        try self.init(compiled, threads: threads)
    }

    /// Names, element types and declared dims of the graph inputs.
    public var inputs: [(name: String, type: TensorType)] {
        graph.inputs.map { (graph[$0].name, graph[$0].type) }
    }

    /// Names of the graph outputs (stored: a run must not rebuild it).
    public let outputNames: [String]

    /// Runs the graph on `feeds` and returns `outputs` (default: the graph outputs; any value
    /// name may be fetched, intermediates included).
    public func run(_ feeds: [String: Tensor], outputs: [String]? = nil) throws(RuntimeError) -> [String: Tensor] {
        var results: [String: Tensor] = [:]
        try run(feeds, fetching: outputs ?? outputNames, into: &results)
        return results
    }

    /// Runs the graph and writes the graph outputs into `results`, reusing a tensor already
    /// there when its shape and type match (then a steady-state run allocates nothing).
    public func run(_ feeds: [String: Tensor], into results: inout [String: Tensor]) throws(RuntimeError) {
        try run(feeds, fetching: outputNames, into: &results)
    }

    func run(
        _ feeds: [String: Tensor], fetching fetches: [String], into results: inout [String: Tensor]
    ) throws(RuntimeError) {
        try validate(feeds)
        if let split = batchSplit, try runSplit(split, feeds, fetching: fetches, into: &results) { return }
        let (entry, arena) = try borrow(feeds, fetches, rows: nil)
        defer { giveBack(arena, to: entry) }
        let plan = entry.plan
        for (value, name) in plan.feedSlots {
            if let tensor = feeds[name] {
                arena.table[value] = tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            }
        }
        // Feeds stay alive (and unmoved) until the run ends: `feeds` holds their storage.
        withExtendedLifetime(feeds) { plan.execute(in: arena) }
        for (name, value) in plan.fetches {
            var tensor = InferenceSession.reuse(&results, name, shape: plan.shapes[value], type: plan.types[value])
            if let source = arena.table[value] {
                tensor.withUnsafeMutableBytes { destination in
                    if let base = destination.baseAddress {
                        base.copyMemory(from: source, byteCount: destination.count)
                    }
                }
            }
            results[name] = tensor
        }
    }

    /// The tensor under `name` in `results`, taken out so its storage is uniquely referenced
    /// and written in place (mutating through the subscript would allocate a coroutine frame
    /// per run); a new one when its shape or type differs.
    /// With `rows`, the shape's first dim is replaced by it (a split run's output from a part's
    /// shape), compared in place so that a reused tensor costs no allocation.
    static func reuse(
        _ results: inout [String: Tensor], _ name: String, shape: [Int], rows: Int? = nil, type: ElementType
    ) -> Tensor {
        func matches(_ given: [Int]) -> Bool {
            guard given.count == shape.count else { return false }
            for axis in shape.indices where given[axis] != (axis == 0 ? rows ?? shape[0] : shape[axis]) {
                return false
            }
            return true
        }
        if let tensor = results.removeValue(forKey: name), matches(tensor.shape), tensor.elementType == type {
            return tensor
        }
        var full = shape
        if let rows, !full.isEmpty { full[0] = rows }
        return Tensor(zeros: full, type: type)
    }

    /// A plan and an idle arena for the feeds' shapes — with the first dim of batch-carrying
    /// inputs replaced by `rows` for a part of a split run (planned single-threaded).
    func borrow(
        _ feeds: [String: Tensor], _ fetches: [String], rows: Int?
    ) throws(RuntimeError) -> (PlanEntry, Arena) {
        let threads = rows == nil ? self.threads : 1
        func carries(_ index: Int) -> Bool { rows != nil && batchSplit?.batchedInputs[index] == true }
        func matches(_ entry: PlanEntry) -> Bool {
            guard entry.threads == threads, entry.fetches == fetches else { return false }
            for (index, declaration) in declarations.enumerated() {
                guard let shape = feeds[declaration.name]?.shape else { return false }
                let planned = entry.shapes[index]
                guard planned.count == shape.count else { return false }
                for axis in shape.indices where planned[axis] != (axis == 0 && carries(index) ? rows ?? 0 : shape[axis])
                {
                    return false
                }
            }
            return true
        }
        lock.lock()
        if let entry = plans.first(where: matches) {
            let arena = entry.idle.popLast()
            lock.unlock()
            return (entry, arena ?? Arena(plan: entry.plan))
        }
        lock.unlock()
        let shapes = declarations.indices.map { index -> [Int] in
            var shape = feeds[declarations[index].name]?.shape ?? []
            if carries(index), let rows, !shape.isEmpty { shape[0] = rows }
            return shape
        }
        var planner = Planner(graph: graph, weights: weights, threads: threads)
        planner.persistent = persistent
        planner.communicator = communicator
        let plan = try planner.plan(
            feedShapes: Dictionary(uniqueKeysWithValues: zip(declarations.map(\.name), shapes)), fetch: fetches)
        var rowsPreserved = true
        if let rows, let split = batchSplit {
            rowsPreserved =
                plan.fetches.allSatisfy { split.batchedValues.contains($0.value) }
                && split.batchedValues.allSatisfy { plan.shapes[$0].first == rows }
        }
        lock.lock()
        let entry =
            plans.first(where: matches)
            ?? PlanEntry(plan: plan, shapes: shapes, fetches: fetches, threads: threads, rowsPreserved: rowsPreserved)
        if !plans.contains(where: { $0 === entry }) { plans.append(entry) }
        lock.unlock()
        return (entry, Arena(plan: entry.plan))
    }

    func giveBack(_ arena: Arena, to entry: PlanEntry) {
        lock.lock()
        entry.idle.append(arena)
        lock.unlock()
    }

    /// Checks names, element types and shapes of the feeds against the declared inputs; equal
    /// symbols (`N`) must take equal sizes across inputs. Allocates only to report an error.
    func validate(_ feeds: [String: Tensor]) throws(RuntimeError) {
        if feeds.count != declarations.count {
            for name in feeds.keys where !declarations.contains(where: { $0.name == name }) {
                throw .input(
                    name: name,
                    reason:
                        "not an input of the graph; inputs are \(declarations.map(\.name).sorted().joined(separator: ", "))"
                )
            }
        }
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: max(symbolCount, 1)) { (bound) throws(RuntimeError) in
            bound.initialize(repeating: -1)
            for (name, type, slots) in declarations {
                guard let tensor = feeds[name] else { throw .input(name: name, reason: "missing; expected \(type)") }
                guard ElementType(type.dataType) == tensor.elementType else {
                    throw .input(
                        name: name, reason: "expected \(type.dataType.onnxName) elements, given \(tensor.elementType)")
                }
                guard let dims = type.dims else { continue }
                func given() -> String { "[" + tensor.shape.map(String.init).joined(separator: ",") + "]" }
                guard dims.count == tensor.shape.count else {
                    throw .input(name: name, reason: "expected shape \(type), given \(given())")
                }
                for (axis, dim) in dims.enumerated() {
                    let size = tensor.shape[axis]
                    if case .fixed(let value) = dim, value != size {
                        throw .input(name: name, reason: "expected shape \(type), given \(given())")
                    }
                    if let slot = slots[axis] {
                        if bound[slot] >= 0 && bound[slot] != size {
                            throw .input(
                                name: name,
                                reason:
                                    "expected shape \(type) with \(dim) = \(bound[slot]) as in other inputs, given \(given())"
                            )
                        }
                        bound[slot] = size
                    }
                }
            }
        }
    }
}
