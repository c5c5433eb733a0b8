/// Gemm or Conv followed by Relu, Sigmoid, Tanh or LeakyRelu becomes FusedGemm / FusedConv:
/// the activation runs over the output while it is still in cache.
struct FuseActivation: GraphPass {
    let name = "fuse-activation"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices {
            let activation = graph.nodes[index]
            let names: [OpType: String] = [.relu: "Relu", .sigmoid: "Sigmoid", .tanh: "Tanh", .leakyRelu: "LeakyRelu"]
            guard let activationName = names[activation.op], let input = activation.inputs[0], uses[input.index] == 1,
                !graphOutputs.contains(input), let producer = graph.producer(of: input),
                !removed.contains(producer.index)
            else { continue }
            var node = graph.nodes[producer.index]
            switch node.op {
            case .gemm: node.op = .fusedGemm
            case .conv: node.op = .fusedConv
            default: continue
            }
            node.attributes.set("activation", string: activationName)
            if activation.op == .leakyRelu {
                node.attributes.set("activation_alpha", float: activation.attributes.float("alpha", default: 0.01))
            }
            node.outputs = activation.outputs
            node.name = node.name.isEmpty ? activation.name : node.name
            graph.nodes[index] = node
            removed.insert(producer.index)
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
