import ModelCompiler
import ModelFormat

/// Builds an `ExecutionPlan` for concrete input shapes: resolves every shape, assigns each
/// intermediate an arena offset by liveness (a block is reused once its last reader has run),
/// lets shape-only ops alias their input, and binds kernels.
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

    static let alignment = 64

    func plan(feedShapes: [String: [Int]], fetch names: [String]) throws(RuntimeError) -> ExecutionPlan {
        var resolved = graph
        // Forget the symbolic types of intermediates: they are re-inferred from concrete feeds.
        for index in resolved.values.indices {
            if case .node = resolved.values[index].origin {
                resolved.values[index].type = TensorType(resolved.values[index].type.dataType, nil)
            }
        }
        for input in graph.inputs {
            guard let shape = feedShapes[resolved[input].name] else { continue }
            resolved[input].type = TensorType(resolved[input].type.dataType, shape.map { .fixed($0) })
        }
        let diagnostics = ShapeInference.run(&resolved)
        if diagnostics.hasErrors { throw .compile(diagnostics) }

        var fetches: [(String, Int)] = []
        for name in names {
            guard let id = resolved.value(named: name) else { throw .unknownOutput(name: name) }
            fetches.append((name, id.index))
        }
        let count = resolved.values.count
        var shapes = [[Int]](repeating: [], count: count)
        var types = [ElementType](repeating: .float32, count: count)
        for (index, value) in resolved.values.enumerated() {
            guard let dims = value.type.dims else { continue }
            let fixed = dims.compactMap(\.fixedValue)
            if fixed.count == dims.count { shapes[index] = fixed }
            if let type = ElementType(value.type.dataType) { types[index] = type }
        }

        // Liveness: the step after which each value is no longer read.
        var lastUse = [Int](repeating: -1, count: count)
        for (step, node) in resolved.nodes.enumerated() {
            for input in node.inputs { if let input { lastUse[input.index] = step } }
        }
        for (_, value) in fetches { lastUse[value] = Int.max }

        // Aliases: a shape-only op's output shares its input's block when the input is an
        // arena value (not a feed or weight, which must stay untouched).
        var root = Array(0..<count)
        let viewOps: Set<OpType> = [.identity, .reshape, .flatten, .squeeze, .unsqueeze, .dropout, .reshapeLike]
        var placements = [ExecutionPlan.Placement](repeating: .absent, count: count)
        for input in resolved.inputs { placements[input.index] = .feed(name: resolved[input].name) }
        for (index, tensor) in weights { placements[index] = .weight(tensor) }
        for (index, pointer) in persistent { placements[index] = .persistent(pointer) }

        var blocks: [(offset: Int, size: Int, freeAfter: Int)] = []
        var rootOffset: [Int: Int] = [:]
        var rootLastUse: [Int: Int] = [:]
        // Extend each root's lifetime over its aliases first.
        for node in resolved.nodes where viewOps.contains(node.op) && node.outputs.count == 1 {
            guard let input = node.inputs.first ?? nil, let output = node.outputs[0] else { continue }
            if case .absent = placements[input.index], weights[input.index] == nil {
                root[output.index] = root[input.index]
            }
        }
        for index in 0..<count {
            rootLastUse[root[index], default: -1] = max(rootLastUse[root[index], default: -1], lastUse[index])
        }

        var arenaSize = 0
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
                let owner = root[output.index]
                if owner != output.index, let offset = rootOffset[owner] {
                    placements[output.index] = .arena(offset: offset)
                    continue
                }
                // Shape inference has bounded every resolved size (shape.too-large); the checked
                // arithmetic keeps a trap impossible should a shape slip past it.
                guard
                    let bytes = Shape.checkedByteCount(shapes[output.index], elementSize: types[output.index].byteSize),
                    let rounded = Shape.checkedSum(max(bytes, 1), Planner.alignment - 1).map({
                        $0 / Planner.alignment * Planner.alignment
                    }),
                    Shape.checkedSum(arenaSize, rounded) != nil
                else {
                    throw .bind(
                        node: node.name, op: node.op.rawValue,
                        reason: "output '\(resolved[output].name)' of shape \(shapes[output.index]) "
                            + "overflows a 64-bit byte size")
                }
                // Best fit among blocks whose last reader ran before this step.
                var chosen: Int?
                for (index, block) in blocks.enumerated() where block.freeAfter < stepIndex && block.size >= rounded {
                    if chosen.map({ blocks[$0].size > block.size }) ?? true { chosen = index }
                }
                let offset: Int
                let freeAfter = rootLastUse[owner] ?? stepIndex
                if let chosen {
                    offset = blocks[chosen].offset
                    blocks[chosen].freeAfter = max(freeAfter, stepIndex)
                } else {
                    offset = arenaSize
                    arenaSize += rounded
                    blocks.append((offset, rounded, max(freeAfter, stepIndex)))
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
            let bound = BoundNode(
                name: node.name.isEmpty ? "#\(stepIndex)" : node.name, op: node.op, attributes: node.attributes,
                inputShapes: node.inputs.map { $0.map { shapes[$0.index] } },
                inputTypes: node.inputs.map { $0.map { types[$0.index] } },
                outputShapes: node.outputs.map { $0.map { shapes[$0.index] } ?? [] },
                outputTypes: node.outputs.map { $0.map { types[$0.index] } ?? .float32 },
                constants: Dictionary(
                    uniqueKeysWithValues: node.inputs.enumerated().compactMap { position, input in
                        input.flatMap { weights[$0.index] }.map { (position, $0) }
                    }), threads: threads, communicator: communicator)
            steps.append(.init(kernel: try makeKernel(bound), node: bound.name, op: node.op))
            stepInputs.append(node.inputs.map { $0.map { Int32($0.index) } ?? -1 })
            stepOutputs.append(node.outputs.map { $0.map { Int32($0.index) } ?? -1 })
        }
        // One scratch region after the values, as large as the largest kernel's request.
        let scratchBytes = steps.map(\.kernel.scratchByteCount).max() ?? 0
        var scratchOffset: Int?
        if scratchBytes > 0 {
            guard Shape.checkedSum(arenaSize, scratchBytes + Planner.alignment) != nil else {
                throw .bind(
                    node: "", op: "",
                    reason: "the arena of \(arenaSize) bytes and \(scratchBytes) scratch bytes overflow")
            }
            scratchOffset = arenaSize
            arenaSize += (scratchBytes + Planner.alignment - 1) / Planner.alignment * Planner.alignment
        }
        return ExecutionPlan(
            steps: steps, inputs: stepInputs, outputs: stepOutputs, placements: placements, shapes: shapes,
            types: types, arenaByteCount: arenaSize, scratchOffset: scratchOffset, fetches: fetches,
            threads: threads)
    }
}
