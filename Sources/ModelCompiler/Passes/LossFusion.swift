/// What the loss fusions share: every HeadLoss whose input X a node of `activation` made gets
/// X replaced by that node's input (the logits) and its settings rewritten by `fuse`, when
/// `fuse` accepts them (returns true); `fuse` sees the activation node and the rank of the
/// logits. The activation node itself stays for its other readers
/// (the head output is still decoded from probabilities). Value handles are not renumbered.
enum LossFusion {
    static func rewire(
        _ graph: inout Graph, activation: Set<OpType>, _ fuse: (Node, Int?, inout LossAttributes) -> Bool
    ) -> Bool {
        var changed = false
        for index in graph.nodes.indices where graph.nodes[index].op == .headLoss {
            let node = graph.nodes[index]
            guard let x = node.inputs.first ?? nil, let producer = graph.producer(of: x),
                activation.contains(graph.nodes[producer.index].op),
                let logits = graph.nodes[producer.index].inputs.first ?? nil,
                var settings = try? LossAttributes(
                    node.attributes, hasSampleWeight: node.inputs.count > 2 && node.inputs[2] != nil),
                fuse(graph.nodes[producer.index], graph[logits].type.rank, &settings)
            else { continue }
            graph.nodes[index].attributes = settings.attributes
            graph.nodes[index].inputs[0] = logits
            changed = true
        }
        return changed
    }
}
