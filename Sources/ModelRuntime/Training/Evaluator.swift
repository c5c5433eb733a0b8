import Foundation
import ModelCompiler
import ModelFormat

/// Loss and metrics of a model on data sets, without training it (`modelrun eval`).
///
/// Compiles forward and losses only — no gradients, no optimiser — so a model evaluates
/// whether or not it has trainable weights: a frozen model, or one that scores predictions fed
/// as an input. Data is read as the trainer reads it (graph inputs and head targets).
public final class Evaluator {
    public let session: TrainingSession
    /// Samples per evaluation batch: the option, else `training.batch_size` (unset: 32).
    public let batchSize: Int

    /// - Throws: `TrainingError.configuration` for a batch size below 1; `.runtime(.compile)`
    ///   when the model does not compile (no head with a loss, a failing check).
    public init(_ model: ProtoModel, file: URL? = nil, batchSize: Int? = nil, threads: Int = 1)
        throws(TrainingError)
    {
        if let batchSize, let problem = TrainingConfigCheck.countProblem(Int64(batchSize)) {
            throw .configuration(field: "batch size", reason: "\(batchSize) \(problem)")
        }
        do {
            session = try TrainingSession(model: model, file: file, threads: threads, purpose: .evaluation)
        } catch {
            throw .runtime(error)
        }
        self.batchSize = batchSize ?? model.training.effectiveBatchSize
    }

    /// The compiler's warnings that concern evaluation: the head lints, not the training
    /// section's findings (evaluation reads none of it but the batch size).
    public var diagnostics: [Diagnostic] { session.evaluation.diagnostics.filter { !$0.code.hasPrefix("training.") } }

    /// Loss and metrics on every sample of `dataset` (read from `file`, for messages).
    public func evaluate(_ dataset: Dataset, file: String = "<data>") throws(TrainingError) -> EvaluationReport {
        let data = try TrainingData(dataset, program: session.evaluation, file: file)
        guard data.count > 0 else { throw .configuration(field: "data", reason: "\(file) has no samples") }
        return try Evaluation.run(session: session, data: data, batchSize: batchSize)
    }
}
