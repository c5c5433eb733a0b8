import ModelFormat

extension ProtoMetric {
    /// The metric's name as reports print it: the `Metric` enum value's name in lower case
    /// (`f1_macro`, `top_k_accuracy`, `mean_iou`); nil for METRIC_UNSPECIFIED and values this
    /// build does not know.
    ///
    /// Spelled out rather than derived from the generated Swift case names, so that a change in
    /// the code generator's spelling cannot rename a metric in `--json` output.
    public var reportName: String? {
        switch self {
        case .accuracy: "accuracy"
        case .topKAccuracy: "top_k_accuracy"
        case .precisionMicro: "precision_micro"
        case .recallMicro: "recall_micro"
        case .f1Micro: "f1_micro"
        case .precisionMacro: "precision_macro"
        case .recallMacro: "recall_macro"
        case .f1Macro: "f1_macro"
        case .f1Samples: "f1_samples"
        case .exactMatch: "exact_match"
        case .hammingLoss: "hamming_loss"
        case .mae: "mae"
        case .mse: "mse"
        case .meanIou: "mean_iou"
        case .unspecified, .UNRECOGNIZED: nil
        }
    }

    /// The metric as spelled in the format, for messages: `F1_MACRO`, `METRIC_UNSPECIFIED`,
    /// `metric 17`.
    var spelled: String {
        switch self {
        case .unspecified: "METRIC_UNSPECIFIED"
        case .UNRECOGNIZED(let raw): "metric \(raw)"
        default: reportName?.uppercased() ?? ""
        }
    }
}
