import Foundation
import ModelFormat

/// Structural checks of a model: the graph is well formed, ops and attributes are known and
/// of the declared kinds, tensors are consistent, heads and training refer to real things.
///
/// Every check runs and every finding is collected, so one run reports all problems.
/// Semantic checks (shapes, head agreement) come later in the pipeline.
public struct Verifier {
    /// The file the model came from, for locations and external data.
    public var file: URL?
    public var limits: FormatLimits

    public init(file: URL? = nil, limits: FormatLimits = .default) {
        self.file = file
        self.limits = limits
    }

    /// All findings for `model`, errors first in model order.
    public func verify(_ model: ProtoModel) -> [Diagnostic] {
        var report = Report(file: file?.path)
        checkModel(model, &report)
        if model.hasGraph {
            let defined = GraphChecks(graph: model.graph).run(into: &report)
            TensorChecks(context: PayloadContext(modelFile: file, limits: limits)).check(model.graph, into: &report)
            HeadChecks.check(model, definedValues: defined, into: &report)
        }
        return report.diagnostics
    }

    private func checkModel(_ model: ProtoModel, _ report: inout Report) {
        if !model.hasGraph {
            report.error("model.no-graph", .init(field: "graph"), "the model has no graph", fix: "add a `graph { ... }` section")
        }
        if model.irVersion > 1 {
            report.error(
                "model.ir-version", .init(field: "ir_version"),
                "ir_version \(model.irVersion) is newer than this tool's format revision 1",
                fix: "upgrade the tool, or set ir_version to 1 if the file uses nothing newer")
        }
        OpsetChecks.check(model, into: &report)
        if model.hasTraining {
            checkTraining(model.training, model: model, &report)
        }
    }

    private func checkTraining(_ training: ProtoTrainingConfig, model: ProtoModel, _ report: inout Report) {
        if case .UNRECOGNIZED(let code) = training.optimizer.kind {
            report.enumOutOfRange("training.optimizer.kind", code)
        }
        if case .UNRECOGNIZED(let code) = training.schedule.kind {
            report.enumOutOfRange("training.schedule.kind", code)
        }
        if case .UNRECOGNIZED(let code) = training.earlyStopping.metric {
            report.enumOutOfRange("training.early_stopping.metric", code)
        }
        report.diagnostics += TrainingConfigCheck.check(training, file: report.file)
        let initializers = Set(model.graph.initializer.map(\.name))
        for name in training.frozen where !initializers.contains(name) {
            report.error(
                "training.unknown-frozen", .init(field: "training.frozen"),
                "frozen names '\(name)', which is not an initializer of the graph",
                fix: "list initializer names only")
        }
    }
}

/// Collects diagnostics with the file filled in.
struct Report {
    let file: String?
    var diagnostics: [Diagnostic] = []

    mutating func error(_ code: String, _ location: Diagnostic.Location, _ message: String, fix: String? = nil) {
        add(.error, code, location, message, fix: fix)
    }

    mutating func warning(_ code: String, _ location: Diagnostic.Location, _ message: String, fix: String? = nil) {
        add(.warning, code, location, message, fix: fix)
    }

    mutating func enumOutOfRange(_ field: String, _ code: Int, head: String? = nil) {
        error(
            "enum.out-of-range", .init(head: head, field: field),
            "value \(code) is not one of the enum's values (written by a newer tool, or a corrupt file)",
            fix: "use one of the names listed in schemas/model.proto")
    }

    private mutating func add(
        _ severity: Diagnostic.Severity, _ code: String, _ location: Diagnostic.Location, _ message: String, fix: String?
    ) {
        var location = location
        location.file = location.file ?? file
        diagnostics.append(Diagnostic(severity, code, location, message, fix: fix))
    }
}
