import Foundation
import ModelCompiler
import ModelFormat

/// Settings of a training run; unset values come from the model's `training` section.
public struct TrainingOptions: Sendable {
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Float?
    public var seed: Int64?
    public var threads: Int = 1
    /// Where a checkpoint is written after every epoch (nil: none).
    public var checkpointDirectory: URL?
    /// Continue from the checkpoint in `checkpointDirectory`.
    public var resume: Bool = false
    /// The ranks of a data-parallel run (nil: one process). `batchSize` is then per rank, as
    /// in PyTorch DDP; rank 0 alone writes checkpoints.
    public var communicator: (any Communicator)?

    public init() {}
}

/// What happened in one epoch.
public struct EpochReport: Sendable, Codable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (weighted by batch size).
    public var loss: Double
    /// Evaluation of the validation data, when there is some.
    public var validation: EvaluationReport?
    public var seconds: Double
}

/// Loss and metrics of a model on a data set.
public struct EvaluationReport: Sendable, Codable {
    public var loss: Double
    /// Metrics per head name (with baselines), in each head's `metric` order.
    public var heads: [String: [MetricResult]]
    public var samples: Int
}

/// Progress of `fit`.
public enum TrainingEvent: Sendable {
    case step(epoch: Int, batch: Int, batches: Int, loss: Float)
    case epoch(EpochReport)
}

/// Trains a model (DESIGN §5): shuffled mini-batches (seeded; the last partial batch is
/// used), the optimiser and schedule of the model's training section, validation data or a
/// seeded random `validation_fraction` of the data, early stopping on a validation metric or loss, and
/// a checkpoint after each epoch.
public final class Trainer {
    public let session: TrainingSession
    private let train: TrainingData
    private let validation: TrainingData?
    private let config: ProtoTrainingConfig
    public let options: TrainingOptions
    public let epochs: Int
    public let batchSize: Int
    /// The epoch to start from (after a resumed checkpoint).
    public var startEpoch: Int { resumed.epoch }
    /// Warnings for whoever trains, to show before the first epoch: the model's head and
    /// training-section lints, and notices about the run (a resume that found no checkpoint).
    public private(set) var diagnostics: [Diagnostic] = []
    /// Where a resumed run starts: epochs done and the early-stopping record.
    private var resumed = Checkpoint.Progress(epoch: 0, best: nil, epochsWithoutImprovement: 0)

    public init(
        _ model: ProtoModel, data: Dataset, validation validationSet: Dataset? = nil, file: URL? = nil,
        dataFile: String = "<data>", validationFile: String = "<validation>",
        options: TrainingOptions = TrainingOptions()
    ) throws(TrainingError) {
        var model = model
        if let seed = options.seed { model.training.seed = seed }
        do {
            session = try TrainingSession(
                model: model, file: file, threads: options.threads, communicator: options.communicator)
        } catch {
            throw .runtime(error)
        }
        config = model.training
        self.options = options
        // Overrides pass the rules the model's own values pass in `modelc check`; nothing is
        // replaced by a default behind the caller's back.
        if let rate = options.learningRate, let problem = TrainingConfigCheck.learningRateProblem(rate) {
            throw .configuration(field: "learning rate", reason: "\(rate) \(problem)")
        }
        for (field, value) in [("epochs", options.epochs), ("batch size", options.batchSize)] {
            if let value, let problem = TrainingConfigCheck.countProblem(Int64(value)) {
                throw .configuration(field: field, reason: "\(value) \(problem)")
            }
        }
        epochs = options.epochs ?? config.effectiveEpochs
        batchSize = options.batchSize ?? config.effectiveBatchSize
        let prepared = try TrainingData(data, program: session.training, file: dataFile)
        if let validationSet {
            train = prepared
            validation = try TrainingData(validationSet, program: session.training, file: validationFile)
        } else if config.validationFraction > 0 {
            guard prepared.count >= 2, config.validationFraction < 1 else {
                throw .configuration(
                    field: "training.validation_fraction",
                    reason:
                        "\(config.validationFraction) of \(prepared.count) samples leaves nothing to train or validate on"
                )
            }
            (train, validation) = prepared.split(
                validationFraction: Double(config.validationFraction), seed: config.seed)
        } else {
            train = prepared
            validation = nil
        }
        guard train.count > 0 else { throw .configuration(field: "data", reason: "the training data has no samples") }
        diagnostics = session.training.diagnostics
        if let directory = options.checkpointDirectory, isRoot {
            Checkpoint.removeStaleTemporaries(in: directory)
            if options.resume && Checkpoint.hasState(in: directory) {
                resumed = try Checkpoint.restore(from: directory, into: session)
            } else if options.resume {
                diagnostics.append(
                    Diagnostic(
                        .warning, "train.resume-from-scratch", .init(file: directory.path),
                        "the checkpoint folder holds no state.npz (the run was stopped before its first checkpoint, "
                            + "or the folder is new), so training starts from scratch"))
            }
        }
        if let communicator = options.communicator { try synchronize(from: communicator) }
    }

    /// Whether this process writes checkpoints (rank 0, or the only process).
    private var isRoot: Bool { (options.communicator?.rank ?? 0) == 0 }

    /// Ranks in the run (1 for a single process).
    private var rankCount: Int { options.communicator?.size ?? 1 }

    /// Gives every rank rank 0's weights, optimiser state, step count and resume progress (as
    /// DDP broadcasts the initial parameters): a resume then needs the checkpoint on rank 0 only.
    private func synchronize(from communicator: any Communicator) throws(TrainingError) {
        do {
            try session.store.broadcast(through: communicator)
            let root = communicator.rank == 0
            let record: [Double] = [
                Double(session.stepCount), Double(resumed.epoch), resumed.best ?? 0, resumed.best == nil ? 0 : 1,
                Double(resumed.epochsWithoutImprovement),
            ]
            let shared = try communicator.sum(root ? record : record.map { _ in 0 })
            session.stepCount = Int(shared[0])
            resumed = Checkpoint.Progress(
                epoch: Int(shared[1]), best: shared[3] != 0 ? shared[2] : nil, epochsWithoutImprovement: Int(shared[4]))
        } catch {
            throw .runtime(error)
        }
    }

    /// The trained model: the source model with the current weights.
    public var model: ProtoModel { session.model }

    /// Trains for the remaining epochs; returns one report per epoch run.
    @discardableResult
    public func fit(_ onEvent: (TrainingEvent) -> Void = { _ in }) throws(TrainingError) -> [EpochReport] {
        // A step takes a global batch of batchSize samples per rank; each rank trains on its
        // share (DataShard), and the all-reduce makes the update the global batch's.
        let globalBatch = batchSize * rankCount
        let batches = (train.count + globalBatch - 1) / globalBatch
        let schedule = LearningRateSchedule(
            base: Double(options.learningRate ?? config.optimizer.effectiveLearningRate),
            schedule: config.schedule, totalSteps: batches * epochs)
        var reports: [EpochReport] = []
        // One set of batch tensors, refilled every step (a full batch and the last partial one).
        var batchFeeds: [String: Tensor] = [:]
        var best = resumed.best
        var epochsWithoutImprovement = resumed.epochsWithoutImprovement
        // A resumed run that had already stopped early, or had already run its epochs, is done.
        if config.earlyStopping.patience > 0 && epochsWithoutImprovement >= config.earlyStopping.patience { return [] }
        guard startEpoch < epochs else { return [] }
        // The epoch-0 checkpoint: a kill during the first epoch can then resume like any other.
        if let directory = options.checkpointDirectory, session.stepCount == 0, isRoot {
            let progress = Checkpoint.Progress(epoch: 0, best: nil, epochsWithoutImprovement: 0)
            try Checkpoint.write(session, progress: progress, to: directory)
        }
        for epoch in startEpoch..<epochs {
            let started = Date()
            let order = Self.order(count: train.count, epoch: epoch, seed: config.seed, shuffle: config.shuffle)
            var lossSum = 0.0
            for batch in 0..<batches {
                let global = order[(batch * globalBatch)..<min(train.count, (batch + 1) * globalBatch)]
                let shard = DataShard.range(
                    count: global.count, rank: options.communicator?.rank ?? 0, size: rankCount)
                // A rank left without samples by a short last batch runs one sample at weight 0:
                // it must still join the all-reduce, and contributes nothing to it.
                let share = shard.isEmpty ? 0 : DataShard.weight(share: shard.count, of: global.count)
                let first = global.startIndex + shard.lowerBound
                let indices = shard.isEmpty ? global.prefix(1) : global[first..<(first + shard.count)]
                let rate = Float(schedule.rate(at: session.stepCount))
                let loss: Float
                let localLoss: Float
                train.batch(indices, into: &batchFeeds)
                do {
                    let result = try session.step(batchFeeds, learningRate: rate, share: share)
                    loss = result.loss
                    localLoss = result.values[session.training.loss]?.scalars.first ?? loss
                } catch {
                    throw .runtime(error)
                }
                guard loss.isFinite else {
                    throw try nonFiniteLoss(
                        epoch: epoch + 1, loss: loss, localLoss: share > 0 ? localLoss : 0, feeds: batchFeeds)
                }
                lossSum += Double(loss) * Double(global.count)
                onEvent(.step(epoch: epoch + 1, batch: batch + 1, batches: batches, loss: loss))
            }
            if let communicator = options.communicator {
                // Running statistics are per rank during the epoch (DDP); validation and the
                // checkpoint use rank 0's, as DDP's buffer broadcast does.
                do {
                    try session.store.broadcast(session.training.statistics, through: communicator)
                } catch {
                    throw .runtime(error)
                }
            }
            var report = EpochReport(epoch: epoch + 1, loss: lossSum / Double(train.count), validation: nil, seconds: 0)
            if let validation { report.validation = try evaluate(validation) }
            report.seconds = Date().timeIntervalSince(started)
            reports.append(report)
            onEvent(.epoch(report))
            // Early stopping on the validation loss or metric.
            var stop = false
            if config.earlyStopping.patience > 0, let validationReport = report.validation {
                let score = monitored(validationReport)
                if let previous = best, score <= previous {
                    epochsWithoutImprovement += 1
                    stop = epochsWithoutImprovement >= config.earlyStopping.patience
                } else {
                    best = score
                    epochsWithoutImprovement = 0
                }
            }
            if let directory = options.checkpointDirectory, isRoot {
                let progress = Checkpoint.Progress(
                    epoch: epoch + 1, best: best, epochsWithoutImprovement: epochsWithoutImprovement)
                try Checkpoint.write(session, progress: progress, to: directory)
            }
            if stop { break }
        }
        return reports
    }

    /// The error for a non-finite loss at the current step. In a data-parallel run every rank
    /// gets here at the same step (the gate reads the reduced loss); the lowest rank whose own
    /// loss is not finite is named, and that rank also names the first non-finite value.
    private func nonFiniteLoss(epoch: Int, loss: Float, localLoss: Float, feeds: [String: Tensor]) throws(TrainingError)
        -> TrainingError
    {
        guard let communicator = options.communicator else {
            return .nonFiniteLoss(epoch: epoch, step: session.stepCount, loss: loss, tensor: firstNonFinite(feeds))
        }
        let culprit: Int
        do {
            culprit = try communicator.minimum(localLoss.isFinite ? communicator.size : communicator.rank)
        } catch {
            throw .runtime(error)
        }
        let tensor =
            culprit == communicator.rank
            ? "on rank \(culprit): \(firstNonFinite(feeds))"
            : culprit < communicator.size
                ? "on rank \(culprit) (its own message names the value)"
                : "none on any rank's share (the reduced loss itself overflowed)"
        return .nonFiniteLoss(epoch: epoch, step: session.stepCount, loss: loss, tensor: tensor)
    }

    /// The first value that holds a NaN or infinity when the evaluation graph (forward and
    /// losses, the weights unchanged since the step skipped its update) runs on `feeds`: a
    /// feed, a weight, or a node output in execution order, named with its node.
    private func firstNonFinite(_ feeds: [String: Tensor]) -> String {
        let graph = session.evaluation.graph
        func hasNonFinite(_ tensor: Tensor) -> Bool { Dataset.firstNonFinite(in: tensor) != nil }
        for input in graph.inputs {
            let name = graph[input].name
            if let tensor = feeds[name], hasNonFinite(tensor) { return "input '\(name)'" }
        }
        for name in session.store.names where session.store.tensor(name).map(hasNonFinite) == true {
            return "weight '\(name)'"
        }
        let outputs = graph.nodes.flatMap { node in
            node.outputs.compactMap { $0 }.filter { graph[$0].type.dataType == .float }.map { (graph[$0].name, node) }
        }
        let inputNames = Set(graph.inputs.map { graph[$0].name })
        guard
            let values = try? session.evaluate(feeds.filter { inputNames.contains($0.key) }, fetching: outputs.map(\.0))
        else {
            return "unknown (the evaluation graph could not run)"
        }
        for (name, node) in outputs where values[name].map(hasNonFinite) == true {
            return "'\(name)', the output of \(node.op.rawValue) '\(node.name)'"
        }
        return "none in the forward graph (the loss itself)"
    }

    /// Higher is better: the negated loss, or the first head's (in model order) value of the monitored metric
    /// (negated for the error metrics MAE, MSE and Hamming loss).
    private func monitored(_ report: EvaluationReport) -> Double {
        let metric = config.earlyStopping.metric
        guard metric != .unspecified else { return -report.loss }
        let name = metric.reportName
        // Heads in model order, so the monitored head is the same in every epoch and run.
        for head in session.training.sourceModel.head {
            if let result = report.heads[HeadDecoders.displayName(head)]?.first(where: { $0.metric == name }) {
                return [.mae, .mse, .hammingLoss].contains(metric) ? -result.value : result.value
            }
        }
        return -report.loss
    }

    /// Sample order for `epoch`: a seeded Fisher–Yates shuffle per epoch (so a resumed run
    /// sees the same order), or the data order.
    static func order(count: Int, epoch: Int, seed: Int64, shuffle: Bool) -> [Int] {
        var order = Array(0..<count)
        guard shuffle else { return order }
        var generator = SplitMix64(seed: UInt64(bitPattern: seed) &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        order.shuffle(using: &generator)
        return order
    }

    /// Loss and metrics on the training data the trainer prepared (all of it when nothing is
    /// held out for validation), without reading or encoding it again.
    public func evaluate() throws(TrainingError) -> EvaluationReport { try evaluate(train) }

    /// Loss and metrics on a data set (any file with the model's inputs and targets).
    public func evaluate(_ dataset: Dataset, file: String = "<data>") throws(TrainingError) -> EvaluationReport {
        try evaluate(TrainingData(dataset, program: session.training, file: file))
    }

    func evaluate(_ data: TrainingData) throws(TrainingError) -> EvaluationReport {
        try Evaluation.run(
            session: session, data: data, batchSize: batchSize,
            communicator: options.communicator ?? SingleProcessCommunicator.shared)
    }
}
