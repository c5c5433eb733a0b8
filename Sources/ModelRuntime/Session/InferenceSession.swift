import Foundation
import ModelCompiler
import ModelFormat

/// Runs a compiled model for inference.
///
/// Plans are built once per input-shape signature and cached; each `run` borrows an arena from
/// the plan's pool (making one only when all are busy), so steady-state runs allocate only
/// their result tensors. `run` is safe to call from several threads at once.
public final class InferenceSession: @unchecked Sendable {
    /// The compiled model the session runs.
    public let model: ProtoModel
    let graph: Graph
    let weights: [Int: Tensor]
    public let threads: Int
    private let lock = NSLock()
    private var plans: [PlanKey: PlanEntry] = [:]

    private struct PlanKey: Hashable {
        let shapes: [String: [Int]]
        let fetches: [String]
    }

    private final class PlanEntry {
        let plan: ExecutionPlan
        var idle: [Arena] = []
        init(plan: ExecutionPlan) { self.plan = plan }
    }

    /// A session for a compiled model (see `Compiler`); `threads` bounds BLAS and kernel threads.
    public init(_ compiled: CompiledModel, threads: Int = 1) throws(RuntimeError) {
        model = compiled.model
        self.threads = max(1, threads)
        do {
            graph = try Graph(compiled.model.graph)
        } catch {
            throw .compile(error.diagnostics)
        }
        var weights: [Int: Tensor] = [:]
        for (id, tensor) in graph.initializers {
            weights[id.index] = try InferenceSession.load(tensor)
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
        BLAS.setThreads(self.threads)
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

    /// Names of the graph outputs.
    public var outputNames: [String] { graph.outputs.map { graph[$0].name } }

    /// Runs the graph on `feeds` and returns `outputs` (default: the graph outputs; any value
    /// name may be fetched, intermediates included).
    public func run(_ feeds: [String: Tensor], outputs: [String]? = nil) throws(RuntimeError) -> [String: Tensor] {
        try validate(feeds)
        let fetches = outputs ?? outputNames
        let key = PlanKey(shapes: feeds.mapValues(\.shape), fetches: fetches)
        let (entry, arena) = try borrow(key)
        defer { giveBack(arena, to: entry) }
        let plan = entry.plan
        for (index, placement) in plan.placements.enumerated() {
            if case .feed(let name) = placement, let tensor = feeds[name] {
                arena.table[index] = tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            }
        }
        // Feeds stay alive (and unmoved) until the run ends: `feeds` holds their storage.
        withExtendedLifetime(feeds) { plan.execute(in: arena) }
        var results: [String: Tensor] = [:]
        for (name, value) in plan.fetches {
            var tensor = Tensor(zeros: plan.shapes[value], type: plan.types[value])
            if let source = arena.table[value] {
                tensor.withUnsafeMutableBytes { destination in
                    if let base = destination.baseAddress { base.copyMemory(from: source, byteCount: destination.count) }
                }
            }
            results[name] = tensor
        }
        return results
    }

    private func borrow(_ key: PlanKey) throws(RuntimeError) -> (PlanEntry, Arena) {
        lock.lock()
        if let entry = plans[key] {
            let arena = entry.idle.popLast()
            lock.unlock()
            return (entry, arena ?? Arena(plan: entry.plan))
        }
        lock.unlock()
        let planner = Planner(graph: graph, weights: weights, threads: threads)
        let plan = try planner.plan(feedShapes: key.shapes, fetch: key.fetches)
        lock.lock()
        let entry = plans[key] ?? PlanEntry(plan: plan)
        plans[key] = entry
        lock.unlock()
        return (entry, Arena(plan: entry.plan))
    }

    private func giveBack(_ arena: Arena, to entry: PlanEntry) {
        lock.lock()
        entry.idle.append(arena)
        lock.unlock()
    }

    /// Checks names, element types and shapes of the feeds against the declared inputs.
    private func validate(_ feeds: [String: Tensor]) throws(RuntimeError) {
        let declared = Dictionary(inputs.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        for name in feeds.keys where declared[name] == nil {
            throw .input(name: name, reason: "not an input of the graph; inputs are \(declared.keys.sorted().joined(separator: ", "))")
        }
        var symbols: [String: Int] = [:]
        for (name, type) in inputs {
            guard let tensor = feeds[name] else {
                throw .input(name: name, reason: "missing; expected \(type)")
            }
            guard ElementType(type.dataType) == tensor.elementType else {
                throw .input(name: name, reason: "expected \(type.dataType.onnxName) elements, given \(tensor.elementType)")
            }
            guard let dims = type.dims else { continue }
            let given = "[" + tensor.shape.map(String.init).joined(separator: ",") + "]"
            guard dims.count == tensor.shape.count else {
                throw .input(name: name, reason: "expected shape \(type), given \(given)")
            }
            for (dim, size) in zip(dims, tensor.shape) {
                switch dim {
                case .fixed(let value) where value != size:
                    throw .input(name: name, reason: "expected shape \(type), given \(given)")
                case .symbol(let symbol):
                    if let bound = symbols[symbol], bound != size {
                        throw .input(name: name, reason: "expected shape \(type) with \(symbol) = \(bound) as in other inputs, given \(given)")
                    }
                    symbols[symbol] = size
                default: break
                }
            }
        }
    }

    /// A runtime tensor for an initializer, float16 widened to float32.
    static func load(_ tensor: ProtoTensor) throws(RuntimeError) -> Tensor {
        let type = tensor.dataType.resolved
        guard let elementType = ElementType(type) else {
            throw .bind(node: tensor.name, op: "initializer", reason: "\(type.onnxName) tensors are not supported by the runtime")
        }
        do {
            let bytes = try tensor.elementBytes()
            let shape = tensor.dims.map { Int($0) }
            if type == .float16 {
                let widened: [Float] = bytes.withUnsafeBytes { raw in
                    (0..<(bytes.count / 2)).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)))) }
                }
                return Tensor(shape: shape, scalars: widened)
            }
            guard let result = Tensor(shape: shape, type: elementType, bytes: bytes) else {
                throw RuntimeError.bind(node: tensor.name, op: "initializer", reason: "payload does not match dims \(shape)")
            }
            return result
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw .bind(node: tensor.name, op: "initializer", reason: String(describing: error))
        }
    }
}
