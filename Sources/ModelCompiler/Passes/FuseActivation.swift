/// Gemm or Conv (or a FusedConv without an activation, from `FuseResidualAdd`) followed by
/// Relu, Sigmoid, Tanh, LeakyRelu, Elu or Clip with constant bounds becomes FusedGemm /
/// FusedConv: the activation runs over the output while it is still in cache (a oneDNN
/// post-op for convolutions).
struct FuseActivation: GraphPass {
    let name = "fuse-activation"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices {
            let activation = graph.nodes[index]
            let names: [OpType: String] = [
                .relu: "Relu", .sigmoid: "Sigmoid", .tanh: "Tanh", .leakyRelu: "LeakyRelu", .elu: "Elu", .clip: "Clip",
            ]
            guard let activationName = names[activation.op], let input = activation.inputs[0], uses[input.index] == 1,
                !graphOutputs.contains(input), let producer = graph.producer(of: input),
                !removed.contains(producer.index)
            else { continue }
            // Clip's bounds become attributes: they must be constants (or absent: ±∞).
            var bounds: (Float, Float) = (-.infinity, .infinity)
            if activation.op == .clip {
                let given = (1...2).map { activation.inputs.count > $0 ? activation.inputs[$0] : nil }
                guard let low = given[0].map({ graph.constantScalar($0) }) ?? -.infinity,
                    let high = given[1].map({ graph.constantScalar($0) }) ?? .infinity
                else { continue }
                bounds = (low, high)
            }
            var node = graph.nodes[producer.index]
            switch node.op {
            case .gemm: node.op = .fusedGemm
            case .conv: node.op = .fusedConv
            case .fusedConv where ["", "Identity"].contains(node.attributes.string("activation", default: "")): break
            default: continue
            }
            node.attributes.set("activation", string: activationName)
            switch activation.op {
            case .leakyRelu:
                node.attributes.set("activation_alpha", float: activation.attributes.float("alpha", default: 0.01))
            case .elu:
                node.attributes.set("activation_alpha", float: activation.attributes.float("alpha", default: 1))
            case .clip:
                node.attributes.set("activation_alpha", float: bounds.0)
                node.attributes.set("activation_beta", float: bounds.1)
            default: break
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
