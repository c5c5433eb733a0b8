/// BINARY_CROSS_ENTROPY on probabilities that a Sigmoid node made becomes BCE with logits on
/// the Sigmoid's input: max(z,0) − z·t + log(1+e^−|z|) instead of log(σ(z)) clipped by ε,
/// which saturates (zero gradient) once σ(z) reaches the clip. `pos_weight` and
/// `class_weight` carry over unchanged.
///
/// Runs on training graphs after head lowering; the Sigmoid stays when anything else reads it.
struct FuseSigmoidBinaryCrossEntropy: GraphPass {
    let name = "fuse-sigmoid-binary-cross-entropy"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var changed = false
        for index in graph.nodes.indices where graph.nodes[index].op == .headLoss {
            let node = graph.nodes[index]
            guard let x = node.inputs.first ?? nil, let producer = graph.producer(of: x),
                graph.nodes[producer.index].op == .sigmoid,
                let logits = graph.nodes[producer.index].inputs.first ?? nil,
                var settings = try? LossAttributes(
                    node.attributes, hasSampleWeight: node.inputs.count > 2 && node.inputs[2] != nil),
                settings.kind == .binaryCrossEntropy, !settings.fromLogits
            else { continue }
            settings.fromLogits = true
            graph.nodes[index].attributes = settings.attributes
            graph.nodes[index].inputs[0] = logits
            changed = true
        }
        return changed
    }
}
