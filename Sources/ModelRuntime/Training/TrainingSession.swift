import Foundation
import ModelCompiler
import ModelFormat

/// Executes a model's training graph, one optimiser step per call, and its evaluation graph
/// (forward + losses) on the same parameters.
///
/// The compiler builds both graphs (`TrainingCompiler`); parameters and optimiser state live
/// in a `ParameterStore` that the training graph's update nodes write in place.
public final class TrainingSession {
    public let training: TrainingProgram
    public let evaluation: TrainingProgram
    public let store: ParameterStore
    /// The two graphs run like any model, with the store's buffers in place of their weights.
    /// An evaluation-only session has no training runner.
    private let trainingRunner: InferenceSession?
    private let evaluationRunner: InferenceSession
    /// Results of the last step, reused so a step writes into the same tensors.
    private var stepResults: [String: Tensor] = [:]
    /// A copy of the running statistics from before the current step.
    private let statisticsBackup: ParameterStore
    /// Optimiser steps taken so far.
    public internal(set) var stepCount: Int = 0
    /// The `train/hyper` feed ([learning rate, step]), rewritten in place each step.
    private var hyper = Tensor(zeros: [2])
    /// The fetch list of a step that fetches nothing but the loss (and the reduced loss).
    private let lossOnly: [String]
    /// The ranks of a data-parallel run; nil for a single process.
    public let communicator: (any Communicator)?
    /// The `train/reduce_weight` feed of a data-parallel program, rewritten each step.
    private var reduceWeight = Tensor(zeros: [1])

    /// Compiles `model` (read from `file`, for messages) for training and evaluation, or with
    /// `purpose` `.evaluation` for evaluation only: forward and losses, no gradients and no
    /// optimiser, so frozen and weight-free models evaluate (`training` is then the evaluation
    /// program, and `step` throws). With a `communicator`, the training graph all-reduces its
    /// gradients and loss over the communicator's ranks (`GradientReductionLowering`), in
    /// buckets of at most `allReduceBucketBytes`.
    public init(
        model: ProtoModel, file: URL? = nil, threads: Int = 1, optimization: OptimizationLevel = .O2,
        purpose: TrainingCompiler.Purpose = .training, communicator: (any Communicator)? = nil,
        allReduceBucketBytes: Int = GradientReductionLowering.defaultBucketBytes
    ) throws(RuntimeError) {
        self.communicator = communicator
        let compiler = TrainingCompiler(
            optimization: optimization, allReduceBucketBytes: communicator == nil ? nil : allReduceBucketBytes)
        do {
            if purpose == .training {
                (training, evaluation) = try compiler.compileForTrainingAndEvaluation(model, file: file)
            } else {
                evaluation = try compiler.compile(model, file: file, purpose: .evaluation)
                training = evaluation
            }
        } catch {
            throw .compile(error.diagnostics)
        }
        store = ParameterStore()
        let graph = training.graph
        for name in training.parameters.flatMap({ [$0.name] + $0.state }) + training.statistics {
            guard let id = graph.value(named: name), let proto = graph.initializers[id] else { continue }
            store.add(name, try InferenceSession.load(proto))
        }
        lossOnly = [training.loss] + (training.reducedLoss.map { [$0] } ?? [])
        statisticsBackup = ParameterStore()
        for name in training.statistics { if let tensor = store.tensor(name) { statisticsBackup.add(name, tensor) } }
        trainingRunner =
            purpose == .training
            ? try InferenceSession(
                model: training.sourceModel, graph: training.graph, persistent: store.pointers, threads: threads,
                communicator: communicator ?? SingleProcessCommunicator.shared)
            : nil
        evaluationRunner = try InferenceSession(
            model: evaluation.sourceModel, graph: evaluation.graph, persistent: store.pointers, threads: threads)
    }

    /// One optimiser step on a batch: `feeds` holds the graph inputs, the encoded targets and
    /// sample weights. Returns the batch's training loss (before the update) and `fetches`.
    ///
    /// In a data-parallel program `feeds` is this rank's share of a global batch and `share`
    /// that share's fraction of it; the loss returned is the global batch's (reduced over the
    /// ranks), and `values[training.loss]` holds this rank's own.
    public func step(
        _ feeds: [String: Tensor], learningRate: Float, share: Float = 1, fetching fetches: [String] = []
    ) throws(RuntimeError) -> (loss: Float, values: [String: Tensor]) {
        let step = Float(stepCount + 1)
        hyper.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: learningRate, toByteOffset: 0, as: Float.self)
            raw.storeBytes(of: step, toByteOffset: MemoryLayout<Float>.stride, as: Float.self)
        }
        var feeds = feeds
        feeds[OptimizerLowering.hyperInput] = hyper
        if training.reducedLoss != nil {
            reduceWeight.withUnsafeMutableBytes { $0.storeBytes(of: share, as: Float.self) }
            feeds[GradientReductionLowering.weightInput] = reduceWeight
        }
        // Running statistics change during the forward pass; a step whose loss is not finite
        // skips its weight updates, so it must not keep their update either.
        guard let trainingRunner else {
            throw .compile([
                Diagnostic(
                    .error, "train.evaluation-only", .init(),
                    "this session was compiled for evaluation only (no gradients or optimiser)")
            ])
        }
        statisticsBackup.copy(from: store)
        try trainingRunner.run(
            feeds, fetching: fetches.isEmpty ? lossOnly : lossOnly + fetches, into: &stepResults)
        if let failure = communicator?.failure { throw failure }
        stepCount += 1
        let loss =
            stepResults[training.reducedLoss ?? training.loss]?.withUnsafeBytes { $0.load(as: Float.self) } ?? .nan
        if !loss.isFinite { store.copy(from: statisticsBackup) }
        return (loss, stepResults)
    }

    /// Runs the evaluation graph (no update) and returns `fetches` (loss values, head outputs,
    /// any value of the forward graph).
    public func evaluate(_ feeds: [String: Tensor], fetching fetches: [String]) throws(RuntimeError) -> [String: Tensor]
    {
        var results: [String: Tensor] = [:]
        try evaluationRunner.run(feeds, fetching: fetches, into: &results)
        return results
    }

    /// The source model with the current parameter values as stored initializers.
    public var model: ProtoModel {
        var model = training.sourceModel
        for index in model.graph.initializer.indices {
            let name = model.graph.initializer[index].name
            guard let tensor = store.tensor(name) else { continue }
            var proto = ProtoTensor(name: name, shape: tensor.shape, floats: tensor.scalars)
            proto.doc = model.graph.initializer[index].doc
            model.graph.initializer[index] = proto
        }
        return model
    }
}
