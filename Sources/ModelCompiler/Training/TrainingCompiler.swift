import Foundation
import ModelFormat

/// A training (or evaluation) graph and what a trainer needs to drive it.
public struct TrainingProgram: Sendable {
    /// The graph: forward, lowered head losses and (for training) gradients and updates.
    public var graph: Graph
    /// The model it came from, fillers materialised (the trainer writes trained weights into it).
    public var sourceModel: ProtoModel
    /// The total loss value's name (this process's batch share in a data-parallel run).
    public var loss: String
    /// In a data-parallel training program: the loss of the global batch, reduced over the
    /// ranks (`GradientReductionLowering`); nil otherwise.
    public var reducedLoss: String?
    /// Per head index with a loss: its loss value's name.
    public var headLosses: [Int: String]
    /// Target input name per head index (in the head's `TargetForm`).
    public var targets: [Int: String]
    /// Sample-weight input name per head index.
    public var sampleWeights: [Int: String]
    /// Trained parameters in update order, with their gradient value and optimiser state names.
    public var parameters: [TrainableParameter]
    /// The model's own graph inputs (features), in order.
    public var featureInputs: [String]
    /// Running statistics (BatchNormalization mean and variance) that training updates in
    /// place without gradients; kept in persistent buffers beside the parameters.
    public var statistics: [String] = []
    /// The warnings of compilation (head lints, training section), for the trainer to show.
    public var diagnostics: [Diagnostic] = []
}

/// A weight that training updates.
public struct TrainableParameter: Sendable, Equatable {
    public var name: String
    public var gradient: String
    public var state: [String]
}

/// Builds training graphs (DESIGN §2: "Training is a graph too: forward + lowered loss +
/// gradient nodes + optimiser-update nodes").
///
/// Steps: verify, materialise fillers, infer shapes and lint heads (errors stop), split fused
/// ops, run the training-safe passes, lower the heads, differentiate with respect to every
/// float initializer the loss depends on and `training.frozen` does not name, append the
/// optimiser updates, and infer the new values' shapes.
public struct TrainingCompiler: Sendable {
    public enum Purpose: Sendable { case training, evaluation }

    public var optimization: OptimizationLevel
    public var limits: FormatLimits
    /// For data-parallel training over several processes: the all-reduce buckets' size cap in
    /// bytes (`GradientReductionLowering`); nil for a single process (no all-reduce).
    public var allReduceBucketBytes: Int?

    public init(
        optimization: OptimizationLevel = .O2, limits: FormatLimits = .default, allReduceBucketBytes: Int? = nil
    ) {
        self.optimization = optimization
        self.limits = limits
        self.allReduceBucketBytes = allReduceBucketBytes
    }

    public func compile(_ model: ProtoModel, file: URL? = nil, purpose: Purpose = .training) throws(CompileError)
        -> TrainingProgram
    {
        try lower(prepare(model, file: file), file: file, purpose: purpose)
    }

    /// The training and the evaluation program of `model`, sharing one verification, filler
    /// materialisation, shape inference and pass pipeline (the two differ only after it).
    public func compileForTrainingAndEvaluation(_ model: ProtoModel, file: URL? = nil) throws(CompileError)
        -> (training: TrainingProgram, evaluation: TrainingProgram)
    {
        let prepared = try prepare(model, file: file)
        return (
            try lower(prepared, file: file, purpose: .training), try lower(prepared, file: file, purpose: .evaluation)
        )
    }

    /// The model checked and optimised, before anything purpose-specific.
    private struct Prepared {
        let graph: Graph
        let source: ProtoModel
        let featureInputs: [String]
        let diagnostics: [Diagnostic]
    }

    private func prepare(_ model: ProtoModel, file: URL?) throws(CompileError) -> Prepared {
        var unfused = model
        // A compiled model may hold fused ops; training differentiates the primitive forms.
        unfused.graph.node = unfused.graph.node.flatMap(ONNXExport.unfused)
        let prepared = try Compiler.prepare(unfused, file: file, limits: limits)
        let source = try Self.inlineExternalData(prepared.model, file: file, limits: limits)
        var graph = prepared.graph
        _ = try PassPipeline.run(
            PassPipeline.passes(for: optimization, target: .training), on: &graph,
            context: PassContext(target: .training))
        return Prepared(
            graph: graph, source: source, featureInputs: graph.inputs.map { graph[$0].name },
            diagnostics: prepared.diagnostics.filter { $0.severity == .warning })
    }

    private func lower(_ prepared: Prepared, file: URL?, purpose: Purpose) throws(CompileError) -> TrainingProgram {
        var graph = prepared.graph
        let source = prepared.source
        let featureInputs = prepared.featureInputs
        let frozen = Set(source.training.frozen)
        let context = PassContext(target: .training)

        var statistics: [String] = []
        if purpose == .training {
            try DropoutLowering.lower(&graph, seed: source.training.seed)
            statistics = try BatchNormalizationLowering.lower(&graph, frozen: frozen)
        }
        let lowered = try HeadLowering.lower(source, graph: &graph)
        // The fusions only rewire HeadLoss inputs and attributes, and run without compaction,
        // so the lowering's value handles stay valid.
        for pass in PassPipeline.lossPasses(for: optimization) { _ = try pass.run(on: &graph, context: context) }
        var parameters: [TrainableParameter] = []
        var reducedLoss: ValueID?
        if purpose == .training {
            // The model's own float weights: constants the lowering added (head weights) are not.
            let modelWeights = Set(source.graph.initializer.map(\.name))
            let candidates = graph.initializers.keys.sorted().filter { id in
                graph[id].type.dataType == .float && !frozen.contains(graph[id].name)
                    && modelWeights.contains(graph[id].name)
            }
            let gradients = try Autodiff.differentiate(&graph, loss: lowered.loss, parameters: candidates)
            let ordered = candidates.compactMap { id in gradients[id].map { (id, $0) } }
            guard !ordered.isEmpty else {
                throw .invalidModel([
                    Diagnostic(
                        .error, "train.no-parameters", .init(field: "training.frozen"),
                        "the loss depends on no trainable weight (all are frozen, or none reaches the loss)")
                ])
            }
            var names = Set(graph.values.map(\.name))
            for (parameter, gradient) in ordered {
                let name = "grad/\(graph[parameter].name)"
                if names.insert(name).inserted { graph[gradient].name = name }
            }
            var updateGradients = ordered
            var gateLoss = lowered.loss
            if let bucketBytes = allReduceBucketBytes {
                (updateGradients, gateLoss) = GradientReductionLowering.lower(
                    &graph, gradients: ordered, loss: lowered.loss, bucketBytes: bucketBytes)
                graph.outputs.append(gateLoss)
                reducedLoss = gateLoss
            }
            let states = try OptimizerLowering.lower(
                source.training, graph: &graph, gradients: updateGradients, loss: gateLoss)
            parameters = zip(ordered, states).map { pair, state in
                TrainableParameter(name: graph[pair.0].name, gradient: graph[pair.1].name, state: state)
            }
        }
        graph.outputs.append(lowered.loss)
        for (_, value) in lowered.headLosses where !graph.outputs.contains(value) { graph.outputs.append(value) }
        // Names, not handles: compaction renumbers values.
        let lossName = graph[lowered.loss].name
        let reducedLossName = reducedLoss.map { graph[$0].name }
        let headLosses = Dictionary(uniqueKeysWithValues: lowered.headLosses.map { ($0.head, graph[$0.value].name) })
        let targets = lowered.targets.mapValues { graph[$0].name }
        let sampleWeights = lowered.sampleWeights.mapValues { graph[$0].name }
        graph.compact()
        let findings = ShapeInference.run(&graph, file: file?.path)
        if findings.hasErrors { throw .invalidModel(findings) }
        return TrainingProgram(
            graph: graph, sourceModel: source, loss: lossName, reducedLoss: reducedLossName, headLosses: headLosses, targets: targets,
            sampleWeights: sampleWeights, parameters: parameters, featureInputs: featureInputs, statistics: statistics,
            diagnostics: prepared.diagnostics)
    }

    /// External payloads read in, so a trainer holds every weight in memory.
    static func inlineExternalData(_ model: ProtoModel, file: URL?, limits: FormatLimits) throws(CompileError)
        -> ProtoModel
    {
        var model = model
        let context = PayloadContext(modelFile: file, limits: limits)
        do {
            for index in model.graph.initializer.indices where model.graph.initializer[index].hasExternal {
                model.graph.initializer[index] = try model.graph.initializer[index].storing(
                    compression: .none, context: context)
            }
        } catch {
            throw .format(error)
        }
        return model
    }
}
