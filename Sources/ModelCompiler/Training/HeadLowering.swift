import ModelFormat

/// Turns each head that has a loss into graph nodes: a target input in the head's
/// `TargetForm`, an optional sample-weight input, a `HeadLoss` node computing the loss in its
/// stable fused form, and the weighted sum of all heads' losses (the training loss).
///
/// Reduction NONE keeps per-term losses for `eval`; the training loss sums them (the gradient
/// of a sum), since a step needs one number.
public enum HeadLowering {
    /// The values the lowering adds.
    public struct Result: Sendable {
        /// The total loss (a scalar).
        public var loss: ValueID
        /// Per head (in model order, only heads with a loss): the head index and its loss value.
        public var headLosses: [(head: Int, value: ValueID)]
        /// Target inputs by head index.
        public var targets: [Int: ValueID]
        /// Sample-weight inputs by head index.
        public var sampleWeights: [Int: ValueID]
    }

    public static func lower(_ model: ProtoModel, graph: inout Graph) throws(CompileError) -> Result {
        var headLosses: [(Int, ValueID)] = []
        var targets: [Int: ValueID] = [:]
        var sampleWeights: [Int: ValueID] = [:]
        var weighted: [ValueID] = []
        for (index, head) in model.head.enumerated() where head.loss.kind != .unspecified {
            let label = head.name.isEmpty ? "#\(index)" : head.name
            func fail(_ field: String, _ message: String) -> CompileError {
                .invalidModel([Diagnostic(.error, "train.head", .init(head: label, field: field), message)])
            }
            guard let output = graph.value(named: head.output), let dims = graph[output].type.dims else {
                throw fail("output", "the head output '\(head.output)' has no inferred shape")
            }
            guard !head.target.isEmpty else { throw fail("target", "the head names no target data array") }
            let settings = LossAttributes(head: head)
            let targetType = TensorType(settings.family == .classIndex ? .int64 : .float, settings.targetDims(dims))
            // The encoded target is an input of its own, named after the head: two heads may
            // encode one data array differently, and a target may also be a feature (an
            // autoencoder); the trainer fills it from the data array `head.target`.
            let target = graph.addValue(name: graph.uniqueName("target/\(label)"), type: targetType, origin: .input)
            graph.inputs.append(target)
            targets[index] = target
            var inputs: [ValueID?] = [output, target]
            if !head.loss.sampleWeight.isEmpty {
                let name = head.loss.sampleWeight
                let weight: ValueID
                if let existing = sampleWeights.values.first(where: { graph[$0].name == name }) {
                    weight = existing
                } else {
                    guard graph.value(named: name) == nil else {
                        throw fail("loss.sample_weight", "'\(name)' already names a value of the graph")
                    }
                    weight = graph.addValue(
                        name: name, type: TensorType(.float, [dims.first ?? .unknown]), origin: .input)
                    graph.inputs.append(weight)
                }
                sampleWeights[index] = weight
                inputs.append(weight)
            }
            var loss = appendNode(
                &graph, .headLoss, name: "loss/\(label)", inputs: inputs, attributes: settings.attributes)
            // Typed now: autodiff runs before the final shape inference and its rules read ranks.
            graph[loss].type = TensorType(.float, settings.reduction == .none ? settings.termDims(dims) : [])
            headLosses.append((index, loss))
            if settings.reduction == .none {
                var attributes = Attributes([])
                attributes.set("keepdims", int: 0)
                loss = appendNode(&graph, .reduceSum, name: "loss/\(label)/sum", inputs: [loss], attributes: attributes)
            }
            let factor = head.weight == 0 ? 1 : head.weight
            if factor != 1 {
                let constant = graph.addInitializer(
                    ProtoTensor(name: graph.uniqueName("loss/\(label)/weight"), shape: [], floats: [factor]))
                loss = appendNode(&graph, .mul, name: "loss/\(label)/weighted", inputs: [loss, constant])
            }
            weighted.append(loss)
        }
        guard var total = weighted.first else {
            throw .invalidModel([
                Diagnostic(
                    .error, "train.no-loss", .init(field: "head"),
                    "no head has a loss, so there is nothing to train or evaluate",
                    fix: "give a head a loss (head { loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true } ... })")
            ])
        }
        for (position, term) in weighted.dropFirst().enumerated() {
            total = appendNode(&graph, .add, name: "loss/sum_\(position + 1)", inputs: [total, term])
        }
        // The total is always reachable as "loss" (head losses are named "loss/<head>").
        total = appendNode(&graph, .identity, name: "loss", inputs: [total])
        return Result(loss: total, headLosses: headLosses, targets: targets, sampleWeights: sampleWeights)
    }

    /// Appends a one-output node whose output value has the node's name.
    static func appendNode(
        _ graph: inout Graph, _ op: OpType, name: String, inputs: [ValueID?], attributes: Attributes = Attributes([])
    ) -> ValueID {
        let id = NodeID(index: graph.nodes.count)
        // Every node lowering appends yields a scalar except a NONE HeadLoss, typed by the caller.
        let output = graph.addValue(name: graph.uniqueName(name), type: TensorType(.float, []), origin: .node(id))
        graph.nodes.append(
            Node(name: graph[output].name, op: op, inputs: inputs, outputs: [output], attributes: attributes, doc: ""))
        return output
    }
}
