/// Gemm or Conv (or a FusedConv without an activation) whose output y feeds exactly a Sigmoid
/// and a Mul of y by that Sigmoid becomes FusedGemm / FusedConv with activation "Swish":
/// y·σ(y), the SiLU that EfficientNet-style models export as two nodes. The runtime computes it
/// inside the convolution (oneDNN's swish post-op) instead of two passes over memory.
struct FuseSwish: GraphPass {
    let name = "fuse-swish"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices where graph.nodes[index].op == .mul {
            let mul = graph.nodes[index]
            guard mul.inputs.count == 2, let a = mul.inputs[0], let b = mul.inputs[1] else { continue }
            for (value, gate) in [(a, b), (b, a)] {
                guard uses[value.index] == 2, uses[gate.index] == 1, !graphOutputs.contains(value),
                    !graphOutputs.contains(gate), let sigmoid = graph.producer(of: gate),
                    graph.nodes[sigmoid.index].op == .sigmoid, graph.nodes[sigmoid.index].inputs.first == value,
                    let producer = graph.producer(of: value), !removed.contains(producer.index),
                    !removed.contains(sigmoid.index)
                else { continue }
                var node = graph.nodes[producer.index]
                let unfused = ["", "Identity"].contains(node.attributes.string("activation", default: ""))
                switch node.op {
                case .gemm: node.op = .fusedGemm
                case .conv: node.op = .fusedConv
                case .fusedConv where unfused: break
                default: continue
                }
                node.attributes.set("activation", string: "Swish")
                node.outputs = mul.outputs
                node.name = node.name.isEmpty ? mul.name : node.name
                graph.nodes[index] = node
                removed.formUnion([producer.index, sigmoid.index])
                break
            }
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
