import ModelFormat

/// Structural checks of heads: referenced values exist, enums are in range, counts agree.
/// The semantic head lints (loss vs encoding vs activation) belong to the compiler issue.
enum HeadChecks {
    static func check(_ model: ProtoModel, definedValues: Set<String>, into report: inout Report) {
        var names = Set<String>()
        for (index, head) in model.head.enumerated() {
            let name = head.name.isEmpty ? "#\(index)" : head.name
            func location(_ field: String) -> Diagnostic.Location { .init(head: name, field: field) }
            if !names.insert(name).inserted {
                report.error("head.duplicate-name", location("name"), "two heads are named '\(name)'", fix: "give each head a unique name")
            }
            if head.output.isEmpty {
                report.error("head.missing-output", location("output"), "the head names no output value", fix: "set `output` to a graph value holding the scores")
            } else if !definedValues.contains(head.output) {
                report.error(
                    "head.unknown-output", location("output"),
                    "output '\(head.output)' is not a value of the graph", fix: "name a node output or graph output")
            }
            checkEnums(head, name: name, into: &report)
            let hasLoss = head.loss.kind != .unspecified
            if hasLoss && head.target.isEmpty {
                report.error(
                    "head.missing-target", location("target"),
                    "the head has a loss but names no target data array", fix: "set `target` to the name of the labels array in the data")
            }
            if head.encoding.kind == .unspecified && hasLoss {
                report.error(
                    "head.missing-encoding", location("encoding.kind"),
                    "the head has a loss but no label encoding", fix: "set `encoding { kind: ONE_HOT num_classes: C }` or another kind")
            }
            let classes = head.encoding.numClasses
            if classes < 0 {
                report.error("head.num-classes", location("encoding.num_classes"), "num_classes is \(classes); it must be positive")
            }
            if !head.classLabel.isEmpty, classes > 0, head.classLabel.count != Int(classes) {
                report.error(
                    "head.class-labels", location("class_label"),
                    "\(head.classLabel.count) class labels are given for \(classes) classes",
                    fix: "give one label per class, or none")
            }
            if head.weight < 0 || !head.weight.isFinite {
                report.error("head.weight", location("weight"), "weight \(head.weight) must be finite and >= 0")
            }
            if head.hasLoss, !head.loss.sampleWeight.isEmpty, head.loss.sampleWeight == head.target {
                report.error(
                    "head.sample-weight", location("loss.sample_weight"),
                    "sample_weight names the target array '\(head.target)'", fix: "name the array of per-sample weights")
            }
        }
    }

    private static func checkEnums(_ head: ProtoHead, name: String, into report: inout Report) {
        if case .UNRECOGNIZED(let code) = head.encoding.kind { report.enumOutOfRange("encoding.kind", code, head: name) }
        if case .UNRECOGNIZED(let code) = head.encoding.code { report.enumOutOfRange("encoding.code", code, head: name) }
        if case .UNRECOGNIZED(let code) = head.loss.kind { report.enumOutOfRange("loss.kind", code, head: name) }
        if case .UNRECOGNIZED(let code) = head.loss.reduction { report.enumOutOfRange("loss.reduction", code, head: name) }
        if case .UNRECOGNIZED(let code) = head.decoder.kind { report.enumOutOfRange("decoder.kind", code, head: name) }
        for (index, metric) in head.metric.enumerated() {
            if case .UNRECOGNIZED(let code) = metric { report.enumOutOfRange("metric[\(index)]", code, head: name) }
            if metric == .unspecified {
                report.error("enum.unspecified", .init(head: name, field: "metric[\(index)]"), "METRIC_UNSPECIFIED is not a metric")
            }
        }
    }
}
