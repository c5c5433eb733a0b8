import ModelFormat

/// Computes a head's metrics (`head.metric`) on natural labels, each beside its trivial baseline.
///
/// Metrics compare decoded predictions with natural labels (DESIGN §3: "Metrics are computed on
/// natural labels, so different encodings of one task are comparable"). The encoding kind says
/// what a label is:
/// - single-label (ONE_HOT, BINARY_CODE, ORDINAL): one class index per sample, `[N]` or
///   `[N, 1]`; the predicted class is the prediction's first label, and a prediction with no
///   label is wrong under every metric (see `SingleLabelScores`). MAE and MSE measure
///   |predicted − true| in class-index units over the samples that have a predicted class only
///   (the others have no distance). Samples whose label is the loss's `ignore_index` are left
///   out of every metric and baseline, as the loss leaves them out of training.
/// - multi-label (MULTI_HOT, SOFT_MULTI_LABEL): a 0/1 matrix `[N, C]`; the predicted set is
///   the prediction's labels (see `MultiLabelScores`).
/// - REAL: values `[N]` or `[N, W]`; the prediction's `value` (see `RegressionScores`).
/// Per-pixel labels are flattened into samples by the caller.
///
/// Baselines are the same metric on a constant predictor's predictions:
/// - single-label: every sample predicts the majority class of the labels (ties to the smaller
///   index), followed by the next most frequent classes up to `decoder.top_k` labels, so that
///   TOP_K_ACCURACY's baseline is the best constant top-k guess; MAE and MSE (in class units,
///   e.g. ordinal levels) use the median class and the class nearest the mean instead, the
///   constants that minimise them;
/// - multi-label: every sample predicts the empty set;
/// - REAL: MSE against the per-column mean of the labels, MAE against the per-column median
///   (the constants that minimise each).
public enum MetricEvaluator {
    /// What a natural label of the head is, which decides how labels and predictions are read.
    enum LabelKind {
        case singleLabel, multiLabel, real
    }

    /// The metrics of `head`, in the order of `head.metric`, each with its baseline.
    ///
    /// - Parameters:
    ///   - predictions: one decoded prediction per sample (labels best first, or `value` for
    ///     IDENTITY).
    ///   - labels: the natural labels of the same samples.
    ///   - classCount: C, the number of classes (levels for ORDINAL); labels and predicted
    ///     classes must lie in 0..<C. Not used for REAL, whose width comes from the labels.
    /// - Throws: `MetricError` when a metric does not apply to the head's kind of label, there
    ///   are no samples, the counts of labels and predictions differ, or a label or prediction
    ///   does not fit the head.
    public static func evaluate(
        head: ProtoHead, predictions: [Prediction], labels: Tensor, classCount: Int
    ) throws(MetricError) -> [MetricResult] {
        let name = HeadDecoders.displayName(head)
        let kind = try labelKind(head, name: name)
        for (index, metric) in head.metric.enumerated() {
            try check(metric, at: index, for: kind, head: head, name: name)
        }
        if kind != .real && classCount < 1 {
            throw .configuration(
                head: name, field: "class count", reason: "is \(classCount), but a classifier needs at least 1 class")
        }
        guard let samples = labels.shape.first else {
            throw .labelShape(
                head: name, encoding: head.encoding.kind, shape: labels.shape,
                expected: "an array with a first (sample) dimension")
        }
        guard samples > 0 || !predictions.isEmpty else { throw .empty(head: name, reason: "the data has 0 samples") }
        guard samples == predictions.count else {
            throw .sampleCount(head: name, predictions: predictions.count, labels: samples)
        }

        let reader = MetricInputs(head: head, name: name, classes: classCount)
        switch kind {
        case .singleLabel:
            let (truth, predicted) = try reader.singleLabel(labels, predictions)
            let scores = SingleLabelScores(classes: classCount, truth: truth, labels: predicted)
            let constant = SingleLabelScores.mostFrequent(
                truth, classes: classCount, count: Int(clamping: max(head.decoder.topK, 1)))
            let baseline = SingleLabelScores(
                classes: classCount, truth: truth, labels: Array(repeating: constant, count: truth.count))
            // MAE and MSE in class units have better constants than the majority class: the
            // median class minimises the absolute error, the class nearest the mean the squared.
            // Scored only for the heads that ask for MAE or MSE.
            func constantPrediction(_ metric: ProtoMetric) -> Double? {
                let label: Int
                if metric == .mae {
                    let sorted = truth.sorted()
                    label = sorted.isEmpty ? 0 : sorted[(sorted.count - 1) / 2]
                } else {
                    label = truth.isEmpty ? 0 : Int((Double(truth.reduce(0, +)) / Double(truth.count)).rounded())
                }
                return SingleLabelScores(
                    classes: classCount, truth: truth, labels: Array(repeating: [label], count: truth.count)
                ).value(of: metric)
            }
            return try results(head, name, scores.value(of:)) { metric in
                metric == .mae || metric == .mse ? constantPrediction(metric) : baseline.value(of: metric)
            }
        case .multiLabel:
            let (truth, predicted) = try reader.multiLabel(labels, predictions)
            let scores = MultiLabelScores(classes: classCount, truth: truth, predicted: predicted)
            let baseline = MultiLabelScores(
                classes: classCount, truth: truth, predicted: Array(repeating: [], count: truth.count))
            return try results(head, name, scores.value(of:), baseline.value(of:))
        case .real:
            let (truth, predicted, width) = try reader.values(labels, predictions)
            let scores = RegressionScores(truth: truth, predicted: predicted)
            let mean = RegressionScores(
                truth: truth, predicted: repeated(RegressionScores.columnMeans(truth, width: width), samples))
            let median = RegressionScores(
                truth: truth, predicted: repeated(RegressionScores.columnMedians(truth, width: width), samples))
            return try results(head, name, scores.value(of:)) { metric in
                metric == .mse ? mean.value(of: metric) : median.value(of: metric)
            }
        }
    }

    /// The kind of label the head's encoding has.
    static func labelKind(_ head: ProtoHead, name: String) throws(MetricError) -> LabelKind {
        switch head.encoding.kind {
        case .oneHot, .binaryCode, .ordinal: return .singleLabel
        case .multiHot, .softMultiLabel: return .multiLabel
        case .real: return .real
        case .unspecified, .UNRECOGNIZED:
            throw .configuration(
                head: name, field: "encoding.kind",
                reason: "is \(DecodeError.spelled(head.encoding.kind)), so nothing says what a label is")
        }
    }

    /// Checks that `metric` is a known metric that measures something for `kind` of label.
    static func check(
        _ metric: ProtoMetric, at index: Int, for kind: LabelKind, head: ProtoHead, name: String
    ) throws(MetricError) {
        guard metric.reportName != nil else {
            throw .configuration(
                head: name, field: "metric[\(index)]", reason: "\(metric.spelled) is not a metric this runtime knows")
        }
        let reason: String? =
            switch (kind, metric) {
            case (.singleLabel, .f1Samples):
                "per-sample F1 compares label sets; with one label per sample it is accuracy (scikit-learn refuses "
                    + "it outside multilabel classification), so use ACCURACY"
            case (.multiLabel, .topKAccuracy):
                "top-k accuracy needs one true class per sample, but these labels are sets; use F1_SAMPLES or RECALL_MICRO"
            case (.multiLabel, .mae), (.multiLabel, .mse):
                "label sets have no distance in class-index units; use HAMMING_LOSS"
            case (.multiLabel, .meanIou):
                "MEAN_IOU compares one class per sample or pixel; for label sets use F1_MACRO"
            case (.real, .mae), (.real, .mse):
                nil
            case (.real, _):
                "REAL labels are values, not classes; use MAE or MSE"
            default:
                nil
            }
        if let reason {
            throw .notApplicable(head: name, metric: metric, encoding: head.encoding.kind, reason: reason)
        }
    }

    /// One result per metric of `head`: `value` and `baseline` give each metric's value on the
    /// predictions and on the constant predictor's.
    private static func results(
        _ head: ProtoHead, _ name: String, _ value: (ProtoMetric) -> Double?, _ baseline: (ProtoMetric) -> Double?
    ) throws(MetricError) -> [MetricResult] {
        var results: [MetricResult] = []
        for metric in head.metric {
            // `check` has accepted every metric, so nil can only be MAE or MSE of class indices
            // when no sample has a predicted class.
            guard let reportName = metric.reportName, let measured = value(metric), let trivial = baseline(metric)
            else {
                throw .undefined(
                    head: name, metric: metric,
                    reason: "no sample has a predicted class, so there is no distance to average")
            }
            results.append(MetricResult(metric: reportName, value: measured, baseline: trivial))
        }
        return results
    }

    /// `row` repeated `count` times, flattened.
    private static func repeated(_ row: [Float], _ count: Int) -> [Float] {
        Array([[Float]](repeating: row, count: count).joined())
    }
}
