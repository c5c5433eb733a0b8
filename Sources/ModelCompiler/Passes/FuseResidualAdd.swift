/// Conv (or a FusedConv without an activation yet) whose output only feeds an Add with a
/// tensor of the same shape becomes a FusedConv with that tensor as its fourth input Z:
/// Y = activation(Conv(X, W, B) + Z), ORT's FusedConv semantics. The runtime computes the sum
/// inside the convolution (oneDNN's sum post-op) instead of a separate pass over memory; a
/// Relu after the Add then fuses as the activation (`FuseActivation` runs next). This is the
/// residual connection of ResNet-style blocks.
struct FuseResidualAdd: GraphPass {
    let name = "fuse-residual-add"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices where graph.nodes[index].op == .add {
            let add = graph.nodes[index]
            guard add.inputs.count == 2, let left = add.inputs[0], let right = add.inputs[1], left != right,
                let output = add.outputs.first ?? nil, let outputDims = graph[output].type.dims
            else { continue }
            for (summand, other) in [(left, right), (right, left)] {
                guard uses[summand.index] == 1, !graphOutputs.contains(summand),
                    let producer = graph.producer(of: summand), !removed.contains(producer.index),
                    graph[other].type.dims == outputDims, graph[summand].type.dims == outputDims,
                    graph[other].type.dataType == graph[output].type.dataType
                else { continue }
                var node = graph.nodes[producer.index]
                let fusable =
                    node.op == .conv
                    || (node.op == .fusedConv && node.inputs.count <= 3
                        && ["", "Identity"].contains(node.attributes.string("activation", default: "")))
                guard fusable, node.outputs.count == 1 else { continue }
                node.op = .fusedConv
                if !node.attributes.has("activation") { node.attributes.set("activation", string: "Identity") }
                while node.inputs.count < 3 { node.inputs.append(nil) }
                node.inputs.append(other)
                node.outputs = add.outputs
                node.name = node.name.isEmpty ? add.name : node.name
                graph.nodes[index] = node
                removed.insert(producer.index)
                break
            }
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
