import ArgumentParser
import CLISupport
import Foundation
import ModelCompiler
import ModelFormat
import ModelRuntime

/// The JSON document of `train --json` and `eval --json` (DESIGN §4): the loss and the
/// metrics by lower-case name, with the trivial baselines beside them. With several heads the
/// metric names are prefixed with the head name (`head/metric`).
struct MetricsDocument: Encodable {
    var loss: Double
    var metrics: [String: Double]
    var baselines: [String: Double]
    var samples: Int
    var epochs: [EpochLine]?
    /// The warnings shown on the way (head lints, training-section findings, notices).
    var diagnostics: [Diagnostic]

    struct EpochLine: Encodable {
        var epoch: Int
        var loss: Double
        var validation_loss: Double?
        var seconds: Double
    }

    init(_ report: EvaluationReport, epochs: [EpochReport]? = nil) {
        diagnostics = DiagnosticLog.shared.diagnostics
        loss = report.loss
        samples = report.samples
        metrics = [:]
        baselines = [:]
        let prefixed = report.heads.count > 1
        for (head, results) in report.heads {
            for result in results {
                let key = prefixed ? "\(head)/\(result.metric)" : result.metric
                metrics[key] = result.value
                baselines[key] = result.baseline
            }
        }
        self.epochs = epochs?.map {
            EpochLine(epoch: $0.epoch, loss: $0.loss, validation_loss: $0.validation?.loss, seconds: $0.seconds)
        }
    }
}

/// The command-line overrides checked by the rules `modelc check` applies to the model's own
/// `training` values (a usage error naming the flag and the rule).
func validateOverrides(epochs: Int?, batchSize: Int?, learningRate: Float?) throws {
    if let learningRate, let problem = TrainingConfigCheck.learningRateProblem(learningRate) {
        throw ValidationError("--learning-rate is \(learningRate); it \(problem)")
    }
    for (flag, value) in [("--epochs", epochs), ("--batch-size", batchSize)] {
        if let value, let problem = TrainingConfigCheck.countProblem(Int64(value)) {
            throw ValidationError("\(flag) is \(value); it \(problem)")
        }
    }
}

/// `metric 0.9612 (baseline 0.1012)` for each metric of a report.
func describe(_ report: EvaluationReport) -> String {
    report.heads.sorted { $0.key < $1.key }.flatMap { head, results in
        results.map { result in
            let name = report.heads.count > 1 ? "\(head)/\(result.metric)" : result.metric
            return
                "\(name) \(String(format: "%.4f", result.value)) (baseline \(String(format: "%.4f", result.baseline)))"
        }
    }.joined(separator: "  ")
}

/// `modelrun train MODEL --data FILE [--validation FILE] [--epochs N] [--batch-size B]
/// [--learning-rate X] [--seed S] [--threads N] -o OUT [--checkpoint DIR] [--resume] [--json]`.
struct Train: ParsableCommand, JSONReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on a data file; write the trained model.")

    @Argument(help: "The model: .pbtxt, .model or .onnx (with heads and a training section).")
    var model: String
    @Option(help: "Training data: .npz (arrays named after graph inputs and head targets), .csv[.gz], .npy, IDX.")
    var data: String
    @Option(help: "Validation data (default: a seeded random training.validation_fraction of --data).")
    var validation: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "CSV label column: a 0-based index (negative from the end) or a header name.",
            discussion: "Default: the column named after the head's target when the file has a header, else the last.",
            valueName: "INDEX|NAME"))
    var labelColumn: CSV.LabelColumn?
    // `.unconditional`: a negative number is the option's value (then refused by `validate`
    // with the rule it breaks), not a flag that leaves the option without one.
    @Option(parsing: .unconditional, help: "Epochs, at least 1 (default: training.epochs).")
    var epochs: Int?
    @Option(parsing: .unconditional, help: "Samples per step, at least 1 (default: training.batch_size).")
    var batchSize: Int?
    @Option(parsing: .unconditional, help: "Base learning rate, > 0 (default: training.optimizer.learning_rate).")
    var learningRate: Float?
    @Option(help: "Seed for shuffling and fillers (default: training.seed).") var seed: Int64?
    @Option(help: "Threads for BLAS and kernels.") var threads: Int = 1
    @Option(name: .shortAndLong, help: "Where to write the trained model (.model, .pbtxt or .onnx).") var output: String
    @Option(help: "Folder for a checkpoint before the first step and after every epoch.") var checkpoint: String?
    @Flag(help: "Continue from the checkpoint in --checkpoint (none there: start from scratch, with a notice).")
    var resume = false
    @Flag(help: "Print one JSON document: loss, metrics, baselines, epochs and warnings (the error on failure).")
    var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        try validateOverrides(epochs: epochs, batchSize: batchSize, learningRate: learningRate)
        if resume && checkpoint == nil { throw ValidationError("--resume needs --checkpoint DIR") }
    }

    func run() throws {
        // Under mpirun every rank runs this command; MPI starts only then (DataParallelLaunch).
        let communicator: MPICommunicator?
        do {
            communicator = try DataParallelLaunch.communicator()
        } catch {
            Output.error("error[\(error.code)]: \(error.description)")
            throw InvalidInput()
        }
        let rank = communicator?.rank ?? 0
        let (proto, url) = try loadModel(model)
        let dataset = try readDataset(data, for: proto, labelColumn: labelColumn)
        let validationSet = try validation.map { try readDataset($0, for: proto, labelColumn: labelColumn) }
        var options = TrainingOptions()
        options.communicator = (communicator?.size ?? 1) > 1 ? communicator : nil
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = learningRate
        options.seed = seed
        options.threads = threads
        options.checkpointDirectory = checkpoint.map { URL(fileURLWithPath: $0) }
        options.resume = resume
        // Rank 0 alone reports progress and writes files.
        let progress = ProgressLine(quiet: rank != 0)
        do {
            let trainer = try Trainer(
                proto, data: dataset, validation: validationSet, file: url, dataFile: data,
                validationFile: validation ?? data, options: options)
            // Head and training-section lints, and run notices, before the first epoch.
            if rank == 0 { Output.diagnostics(trainer.diagnostics) }
            let reports = try trainer.fit { event in
                switch event {
                case .step(let epoch, let batch, let batches, let loss):
                    progress.update(
                        "epoch \(epoch)/\(trainer.epochs) [\(batch)/\(batches)] loss \(String(format: "%.4f", loss))")
                case .epoch(let report):
                    var line = "epoch \(report.epoch)/\(trainer.epochs)  loss \(String(format: "%.4f", report.loss))"
                    if let validation = report.validation {
                        line += "  val_loss \(String(format: "%.4f", validation.loss))  \(describe(validation))"
                    }
                    line += "  \(String(format: "%.2f", report.seconds)) s"
                    progress.finish(line)
                }
            }
            if rank == 0 {
                try writeModel(trainer.model, to: URL(fileURLWithPath: output), sourceFile: url)
            } else if let path = DataParallelLaunch.rankOutput(output, rank: rank) {
                try writeModel(trainer.model, to: URL(fileURLWithPath: path), sourceFile: url)
            }
            let final: EvaluationReport?
            if json {
                // Every rank evaluates its share: the evaluation is collective.
                final = try reports.last?.validation ?? trainer.evaluate()  // nothing held out: all of --data
            } else {
                final = nil
            }
            communicator?.finalize()
            if rank != 0 { return }
            if let final {
                Output.json(MetricsDocument(final, epochs: reports))
            } else {
                Output.error("wrote \(output)")
            }
        } catch let error as TrainingError {
            progress.finish(nil)
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
    }
}

/// `modelrun eval MODEL --data FILE [--batch-size B] [--threads N] [--json]`.
struct Eval: ParsableCommand, JSONReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Loss and metrics of a model on a data file.")

    @Argument(help: "The model: .pbtxt, .model or .onnx (with heads).") var model: String
    @Option(help: "Data: .npz, .csv[.gz], .npy, IDX.") var data: String
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "CSV label column: a 0-based index (negative from the end) or a header name.",
            discussion: "Default: the column named after the head's target when the file has a header, else the last.",
            valueName: "INDEX|NAME"))
    var labelColumn: CSV.LabelColumn?
    @Option(parsing: .unconditional, help: "Samples per batch, at least 1 (default: training.batch_size).")
    var batchSize: Int?
    @Option(help: "Threads for BLAS and kernels.") var threads: Int = 1
    @Flag(help: "Print one JSON document: loss, metrics, baselines and warnings (the error on failure).")
    var json = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        try validateOverrides(epochs: nil, batchSize: batchSize, learningRate: nil)
    }

    func run() throws {
        let (proto, url) = try loadModel(model)
        let dataset = try readDataset(data, for: proto, labelColumn: labelColumn)
        do {
            // Forward and losses only: models without trainable weights evaluate too.
            let evaluator = try Evaluator(proto, file: url, batchSize: batchSize, threads: threads)
            Output.diagnostics(evaluator.diagnostics)
            let report = try evaluator.evaluate(dataset, file: data)  // every sample: nothing held out
            if json {
                Output.json(MetricsDocument(report))
            } else {
                print("loss \(String(format: "%.4f", report.loss))  \(describe(report))  (\(report.samples) samples)")
            }
        } catch {
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
    }
}

/// One status line on a terminal (rewritten in place), plain lines otherwise.
final class ProgressLine {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var shown = false
    /// Shows nothing (the ranks other than 0 of a data-parallel run).
    private let quiet: Bool

    init(quiet: Bool = false) { self.quiet = quiet }

    func update(_ text: String) {
        guard isTerminal, !quiet else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    func finish(_ line: String?) {
        guard !quiet else { return }
        if isTerminal && shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
        if let line { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
