import ModelCompiler
import ModelFormat

/// Builds an `ExecutionPlan` for concrete input shapes, in four jobs with a type each:
/// `ResolvedShapes` (shape re-inference), `Liveness` (last uses and view aliases),
/// `ArenaAllocator` (best-fit offsets), `KernelBinder` (kernels bound to shapes); the kernels'
/// scratch goes after the values, sized for the largest request.
struct Planner {
    let graph: Graph
    /// Weight tensors by value index (initializers and Constant outputs).
    let weights: [Int: Tensor]
    let threads: Int
    /// The ranks `AllReduce` nodes reduce over.
    var communicator: any Communicator = SingleProcessCommunicator.shared
    /// Buffers that outlive runs (a trainer's parameters and optimiser state), by value index;
    /// kernels may write them only as outputs placed on them (OptimizerStep, in place).
    var persistent: [Int: UnsafeMutableRawPointer] = [:]

    static let alignment = ArenaAllocator.alignment

    func plan(feedShapes: [String: [Int]], fetch names: [String]) throws(RuntimeError) -> ExecutionPlan {
        let resolution = try ResolvedShapes(graph, feedShapes: feedShapes)
        let resolved = resolution.graph
        let (shapes, types) = (resolution.shapes, resolution.types)
        var fetches: [(String, Int)] = []
        for name in names {
            guard let id = resolved.value(named: name) else { throw .unknownOutput(name: name) }
            fetches.append((name, id.index))
        }

        var placements = [ExecutionPlan.Placement](repeating: .absent, count: resolved.values.count)
        for input in resolved.inputs { placements[input.index] = .feed(name: resolved[input].name) }
        for (index, tensor) in weights { placements[index] = .weight(tensor) }
        for (index, pointer) in persistent { placements[index] = .persistent(pointer) }
        let liveness = Liveness(resolved, fetches: fetches.map(\.1)) { index in
            if case .absent = placements[index], weights[index] == nil { return false }
            return true
        }

        var allocator = ArenaAllocator()
        var rootOffset: [Int: Int] = [:]
        let binder = KernelBinder(weights: weights, threads: threads, communicator: communicator)
        var steps: [ExecutionPlan.Step] = []
        var stepInputs: [[Int32]] = []
        var stepOutputs: [[Int32]] = []
        for (stepIndex, node) in resolved.nodes.enumerated() {
            // Nodes whose outputs were all evaluated at load time (Constant) do not run.
            if node.outputs.allSatisfy({ $0.map { weights[$0.index] != nil } ?? true }) { continue }
            for (position, output) in node.outputs.enumerated() {
                guard let output, weights[output.index] == nil else { continue }
                // An in-place update (OpType.inPlaceInput) lands on its input's persistent buffer.
                if let source = node.op.inPlaceInput(ofOutput: position),
                    let input = source < node.inputs.count ? node.inputs[source] : nil,
                    case .persistent(let pointer) = placements[input.index]
                {
                    placements[output.index] = .persistent(pointer)
                    continue
                }
                let owner = liveness.root[output.index]
                if owner != output.index, let offset = rootOffset[owner] {
                    placements[output.index] = .arena(offset: offset)
                    continue
                }
                // Shape inference has bounded every resolved size (shape.too-large); the checked
                // arithmetic keeps a trap impossible should a shape slip past it.
                guard
                    let bytes = Shape.checkedByteCount(shapes[output.index], elementSize: types[output.index].byteSize),
                    let offset = allocator.place(
                        bytes: bytes, at: stepIndex, freeAfter: liveness.rootLastUse[owner] ?? stepIndex)
                else {
                    throw .bind(
                        node: node.name, op: node.op.rawValue,
                        reason: "output '\(resolved[output].name)' of shape \(shapes[output.index]) "
                            + "overflows a 64-bit byte size")
                }
                rootOffset[owner] = offset
                placements[output.index] = .arena(offset: offset)
            }
            for output in node.outputs {
                guard let output, resolved[output].type.dims?.allSatisfy({ $0.fixedValue != nil }) != true else {
                    continue
                }
                throw .bind(
                    node: node.name, op: node.op.rawValue,
                    reason: "the shape of output '\(resolved[output].name)' cannot be determined before running "
                        + "(shape, axes and split inputs must be constants)")
            }
            steps.append(try binder.bind(node, step: stepIndex, shapes: shapes, types: types))
            stepInputs.append(node.inputs.map { $0.map { Int32($0.index) } ?? -1 })
            stepOutputs.append(node.outputs.map { $0.map { Int32($0.index) } ?? -1 })
        }
        // One scratch region after the values, as large as the largest kernel's request.
        let scratchBytes = steps.map(\.kernel.scratchByteCount).max() ?? 0
        var scratchOffset: Int?
        if scratchBytes > 0 {
            guard let offset = allocator.appendRegion(bytes: scratchBytes) else {
                throw .bind(
                    node: "", op: "",
                    reason: "the arena of \(allocator.size) bytes and \(scratchBytes) scratch bytes overflow")
            }
            scratchOffset = offset
        }
        return ExecutionPlan(
            steps: steps, inputs: stepInputs, outputs: stepOutputs, placements: placements, shapes: shapes,
            types: types, arenaByteCount: allocator.size, scratchOffset: scratchOffset, fetches: fetches,
            threads: threads)
    }
}
