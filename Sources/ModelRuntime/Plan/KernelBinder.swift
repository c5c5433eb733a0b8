import ModelCompiler

/// Binds one node to its concrete shapes and types: the `BoundNode` a kernel prepares itself
/// from (constant inputs for pre-packing, the plan's thread count for primitives), then the
/// kernel (`makeKernel`).
struct KernelBinder {
    /// Weight tensors by value index.
    let weights: [Int: Tensor]
    let threads: Int
    /// The ranks' all-reduce for AllReduce nodes (the identity in one process).
    let communicator: any Communicator

    func bind(_ node: Node, step: Int, shapes: [[Int]], types: [ElementType]) throws(RuntimeError) -> ExecutionPlan.Step {
        let bound = BoundNode(
            name: node.name.isEmpty ? "#\(step)" : node.name, op: node.op, attributes: node.attributes,
            inputShapes: node.inputs.map { $0.map { shapes[$0.index] } },
            inputTypes: node.inputs.map { $0.map { types[$0.index] } },
            outputShapes: node.outputs.map { $0.map { shapes[$0.index] } ?? [] },
            outputTypes: node.outputs.map { $0.map { types[$0.index] } ?? .float32 },
            constants: Dictionary(
                uniqueKeysWithValues: node.inputs.enumerated().compactMap { position, input in
                    input.flatMap { weights[$0.index] }.map { (position, $0) }
                }), threads: threads, communicator: communicator)
        return ExecutionPlan.Step(kernel: try makeKernel(bound), node: bound.name, op: node.op)
    }
}
