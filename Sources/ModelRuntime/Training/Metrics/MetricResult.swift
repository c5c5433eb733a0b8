/// One metric of one head, with the value a trivial predictor reaches beside it.
///
/// DESIGN §4: "Metric reports put the trivial baseline beside each metric (majority class for
/// accuracy; predicting no label for multi-label F1, Hamming loss and exact match), so a 99%
/// that a constant predictor also reaches is visible." `MetricEvaluator` says which constant
/// predictor each label kind gets. Encoded as `{"metric":"f1_macro","value":0.8,"baseline":0.2}`.
public struct MetricResult: Sendable, Equatable, Codable {
    /// The metric's name in lower case, as `eval --json` prints it: `accuracy`, `f1_macro`,
    /// `top_k_accuracy`, `mean_iou`, … (the `Metric` enum value's name, lower-cased).
    public let metric: String
    /// The metric on the model's predictions.
    public let value: Double
    /// The metric on the trivial constant predictor's predictions.
    public let baseline: Double

    /// A result from its parts.
    public init(metric: String, value: Double, baseline: Double) {
        self.metric = metric
        self.value = value
        self.baseline = baseline
    }
}
