import ModelFormat

/// Appends the optimiser's update nodes: per parameter, its state tensors (zero-initialised
/// initializers) and an `OptimizerStep` node updating parameter and state in place; before them,
/// the global-norm clip factor when `gradient_clip_norm` is set. The learning rate and step
/// number arrive each step in the `hyper` input, so schedules need no graph change.
///
/// Update nodes come after every gradient node, so no forward or backward node reads a
/// parameter after it changed within a step.
public enum OptimizerLowering {
    /// The name of the per-step input `[learning rate, step number (1-based)]`.
    public static let hyperInput = "train/hyper"

    /// The `train/hyper` input, added when the graph lacks it.
    static func hyperValue(_ graph: inout Graph) -> ValueID {
        if let existing = graph.value(named: hyperInput) { return existing }
        let hyper = graph.addValue(name: hyperInput, type: TensorType(.float, [.fixed(2)]), origin: .input)
        graph.inputs.append(hyper)
        return hyper
    }

    /// State tensors per parameter for `kind`, as name suffixes.
    public static func stateNames(_ optimizer: ProtoOptimizer) -> [String] {
        switch optimizer.kind {
        case .sgd: []
        case .momentum, .nesterov: ["velocity"]
        case .adam, .adamw: ["exp_avg", "exp_avg_sq"]
        case .adadelta: ["square_avg", "acc_delta"]
        case .rmsprop: optimizer.effectiveMomentum > 0 ? ["square_avg", "momentum_buffer"] : ["square_avg"]
        case .adagrad: ["sum"]
        case .UNRECOGNIZED: []
        }
    }

    /// The update attributes, unset fields at the defaults of `schemas/model.proto`.
    public static func attributes(_ optimizer: ProtoOptimizer) -> Attributes {
        var attributes = Attributes([])
        attributes.set("kind", string: String(describing: optimizer.kind))
        attributes.set("momentum", float: optimizer.effectiveMomentum)
        attributes.set("beta1", float: optimizer.effectiveBeta1)
        attributes.set("beta2", float: optimizer.effectiveBeta2)
        attributes.set("epsilon", float: optimizer.effectiveEpsilon)
        attributes.set("rho", float: optimizer.effectiveRho)
        attributes.set("weight_decay", float: optimizer.weightDecay)
        return attributes
    }

    /// Appends the updates; returns each parameter's state tensor names.
    public static func lower(
        _ training: ProtoTrainingConfig, graph: inout Graph, gradients: [(parameter: ValueID, gradient: ValueID)],
        loss: ValueID? = nil
    ) throws(CompileError) -> [[String]] {
        if case .UNRECOGNIZED(let raw) = training.optimizer.kind {
            throw .invalidModel([
                Diagnostic(
                    .error, "train.optimizer", .init(field: "training.optimizer.kind"),
                    "\(raw) is not an optimizer kind")
            ])
        }
        let hyper = hyperValue(&graph)
        var clip: ValueID?
        if training.gradientClipNorm > 0 {
            var attributes = Attributes([])
            attributes.set("max_norm", float: training.gradientClipNorm)
            let id = NodeID(index: graph.nodes.count)
            let scale = graph.addValue(
                name: "train/clip_scale", type: TensorType(.float, [.fixed(1)]), origin: .node(id))
            graph.nodes.append(
                Node(
                    name: "train/clip_scale", op: .gradientNormScale, inputs: gradients.map(\.gradient),
                    outputs: [scale],
                    attributes: attributes, doc: ""))
            clip = scale
        }
        let suffixes = stateNames(training.optimizer)
        let attributes = attributes(training.optimizer)
        var states: [[String]] = []
        for (parameter, gradient) in gradients {
            let name = graph[parameter].name
            var inputs: [ValueID?] = [parameter, gradient, hyper, clip]
            var outputs: [ValueID?] = []
            let id = NodeID(index: graph.nodes.count)
            outputs.append(graph.addValue(name: "\(name)/updated", type: graph[parameter].type, origin: .node(id)))
            var names: [String] = []
            for suffix in suffixes {
                var tensor = ProtoTensor()
                tensor.name = "\(name)/\(suffix)"
                tensor.dataType = .float
                tensor.dims = graph[parameter].type.dims?.compactMap { $0.fixedValue.map(Int64.init) } ?? []
                tensor.rawData = .init(count: Int(tensor.dims.reduce(1, *)) * 4)
                inputs.append(graph.addInitializer(tensor))
                outputs.append(
                    graph.addValue(name: "\(name)/\(suffix)/updated", type: graph[parameter].type, origin: .node(id)))
                names.append(tensor.name)
            }
            // The loss gates the update: a non-finite loss leaves weights and state as they were,
            // so the trainer can name the tensor that went wrong.
            while inputs.count < 6 { inputs.append(nil) }
            inputs.append(loss)
            graph.nodes.append(
                Node(
                    name: "train/update/\(name)", op: .optimizerStep, inputs: inputs, outputs: outputs,
                    attributes: attributes,
                    doc: ""))
            graph.outputs += outputs.compactMap { $0 }
            states.append(names)
        }
        return states
    }
}
