import ModelFormat

/// Makes Dropout random in training graphs (ONNX Dropout-13 in training mode): each
/// Dropout(X, ratio) becomes Y = X · DropoutMask(X, hyper), the mask 0 with probability
/// `ratio` and 1/(1 − ratio) otherwise, drawn afresh every step from a per-node seed and the
/// step number in the `train/hyper` input. The gradient is then the plain Mul rule, dX = dY·M.
/// Evaluation and inference graphs keep Dropout as the identity.
///
/// A Dropout whose `training_mode` is a constant false stays the identity; `ratio` must be a
/// constant; the optional `mask` output is not supported in training graphs.
enum DropoutLowering {
    static func lower(_ graph: inout Graph, seed: Int64) throws(CompileError) {
        guard graph.nodes.contains(where: { $0.op == .dropout }) else { return }
        let hyper = OptimizerLowering.hyperValue(&graph)
        var nodes: [Node] = []
        for (index, node) in graph.nodes.enumerated() {
            guard node.op == .dropout, let x = node.inputs.first ?? nil, let y = node.outputs.first ?? nil else {
                nodes.append(node)
                continue
            }
            let label = node.name.isEmpty ? "Dropout #\(index)" : node.name
            func fail(_ message: String) -> CompileError {
                .invalidModel([Diagnostic(.error, "train.dropout", .init(node: label, op: "Dropout"), message)])
            }
            if node.inputs.count > 2, let mode = node.inputs[2] {
                guard let values = constantValues(graph, mode) else {
                    throw fail("training_mode must be a constant to train")
                }
                if values.allSatisfy({ $0 == 0 }) {
                    nodes.append(node)
                    continue
                }
            }
            var ratio: Float = 0.5
            if node.inputs.count > 1, let ratioInput = node.inputs[1] {
                guard let tensor = graph.initializers[ratioInput], let value = try? tensor.floatValues().first else {
                    throw fail("ratio must be a constant float to train")
                }
                ratio = value
            }
            guard ratio >= 0 && ratio < 1 else { throw fail("ratio \(ratio) must be in [0, 1)") }
            if node.outputs.count > 1 && node.outputs[1] != nil {
                throw fail("the mask output is not supported in training")
            }
            var attributes = Attributes([])
            attributes.set("ratio", float: ratio)
            let nodeSeed =
                node.attributes.has("seed")
                ? UInt64(bitPattern: Int64(node.attributes.int("seed", default: 0)))
                : SplitMix64.seed(model: seed, tensor: "dropout:\(label)")
            attributes.set("seed", int: Int(Int64(bitPattern: nodeSeed)))
            let mask = graph.addValue(
                name: graph.uniqueName("\(graph[y].name)/dropout_mask"), type: TensorType(.float, graph[x].type.dims))
            nodes.append(
                Node(
                    name: "\(label)/mask", op: .dropoutMask, inputs: [x, hyper], outputs: [mask],
                    attributes: attributes, doc: ""))
            nodes.append(
                Node(name: label, op: .mul, inputs: [x, mask], outputs: [y], attributes: Attributes([]), doc: node.doc))
        }
        graph.nodes = nodes
        graph.compact()
    }

    private static func constantValues(_ graph: Graph, _ value: ValueID) -> [Int64]? {
        guard let tensor = graph.initializers[value], let bytes = try? tensor.elementBytes() else { return nil }
        return bytes.map { Int64($0) }
    }
}
