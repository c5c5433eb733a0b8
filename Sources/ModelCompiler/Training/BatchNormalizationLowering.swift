import ModelFormat

/// Puts BatchNormalization in training mode in training graphs: each node becomes
/// `BatchNormalizationTrain`, which normalises with the batch's statistics, saves the batch
/// mean and 1/σ for its gradient, and updates the running mean and variance in place
/// (ONNX BatchNormalization-15, training_mode = 1). The running statistics must be
/// initializers; they are returned so the trainer keeps them in persistent buffers (they are
/// not trained by gradient). Evaluation and inference graphs keep the inference form, which
/// reads the updated running statistics. A layer whose running mean or variance is listed in
/// `training.frozen` stays in inference form.
enum BatchNormalizationLowering {
    static func lower(_ graph: inout Graph, frozen: Set<String>) throws(CompileError) -> [String] {
        var statistics: [String] = []
        for index in graph.nodes.indices where graph.nodes[index].op == .batchNormalization {
            let node = graph.nodes[index]
            // Frozen statistics keep the layer in inference form (PyTorch's eval-mode BatchNorm
            // in a frozen backbone): normalised with the running values, which stay as they are.
            let names = node.inputs.dropFirst(3).compactMap { $0.map { graph[$0].name } }
            if names.contains(where: frozen.contains) { continue }
            let label = node.name.isEmpty ? "BatchNormalization #\(index)" : node.name
            guard node.inputs.count == 5, let mean = node.inputs[3], let variance = node.inputs[4],
                graph.initializers[mean] != nil, graph.initializers[variance] != nil,
                let y = node.outputs.first ?? nil
            else {
                throw .invalidModel([
                    Diagnostic(
                        .error, "train.batch-normalization", .init(node: label, op: "BatchNormalization"),
                        "to train, input_mean and input_var must be initializers (the running statistics training updates)"
                    )
                ])
            }
            let id = NodeID(index: index)
            func add(_ suffix: String) -> ValueID {
                graph.addValue(
                    name: graph.uniqueName("\(graph[y].name)/\(suffix)"), type: graph[mean].type, origin: .node(id))
            }
            var attributes = Attributes([])
            attributes.set("epsilon", float: node.attributes.float("epsilon", default: 1e-5))
            attributes.set("momentum", float: node.attributes.float("momentum", default: 0.9))
            // Outputs a model may have named (running_mean/var) keep their values.
            let runningMean = node.outputs.count > 1 ? node.outputs[1] ?? add("running_mean") : add("running_mean")
            let runningVar = node.outputs.count > 2 ? node.outputs[2] ?? add("running_var") : add("running_var")
            graph.nodes[index] = Node(
                name: node.name, op: .batchNormalizationTrain, inputs: node.inputs,
                outputs: [y, add("saved_mean"), add("saved_inv_std"), runningMean, runningVar], attributes: attributes,
                doc: node.doc)
            statistics += [graph[mean].name, graph[variance].name]
        }
        if !statistics.isEmpty { graph.compact() }
        return statistics
    }
}
