import ModelFormat

/// Why a head's metrics cannot be computed: a metric does not apply to the head's labels, the
/// data is empty, or labels and predictions do not fit the head.
///
/// Every case names the head; label errors name the sample (and the column of a 0/1 matrix),
/// the value and what was allowed. `code` is stable (`metric.not-applicable`, ...).
public enum MetricError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field of the head (`encoding.kind`, `metric`) or the class count cannot be evaluated with.
    case configuration(head: String, field: String, reason: String)
    /// The metric does not measure anything for the encoding's kind of label (MEAN_IOU on REAL).
    case notApplicable(head: String, metric: ProtoMetric, encoding: ProtoLabelEncoding.Kind, reason: String)
    /// There are no samples (or every sample's label is the ignore_index).
    case empty(head: String, reason: String)
    /// The number of predictions differs from the number of labelled samples.
    case sampleCount(head: String, predictions: Int, labels: Int)
    /// The labels array's shape does not fit the head; `expected` describes what does.
    case labelShape(head: String, encoding: ProtoLabelEncoding.Kind, shape: [Int], expected: String)
    /// A label value outside what the head allows; `column` is set for 0/1 matrices and REAL rows.
    case invalidLabel(head: String, sample: Int, column: Int?, value: String, allowed: String)
    /// A prediction that does not fit the head (a class out of range, a missing value).
    case invalidPrediction(head: String, sample: Int, reason: String)
    /// The metric has no value on these samples (MAE of class indices when no sample has a
    /// predicted class).
    case undefined(head: String, metric: ProtoMetric, reason: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .configuration: "metric.configuration"
        case .notApplicable: "metric.not-applicable"
        case .empty: "metric.empty"
        case .sampleCount: "metric.sample-count"
        case .labelShape: "metric.label-shape"
        case .invalidLabel: "metric.invalid-label"
        case .invalidPrediction: "metric.invalid-prediction"
        case .undefined: "metric.undefined"
        }
    }

    /// One line: `head '<name>': <what>`.
    public var description: String {
        switch self {
        case .configuration(let head, let field, let reason):
            return "head '\(head)': \(field): \(reason)"
        case .notApplicable(let head, let metric, let encoding, let reason):
            return "head '\(head)': metric \(metric.spelled) does not apply to \(DecodeError.spelled(encoding)) "
                + "labels: \(reason)"
        case .empty(let head, let reason):
            return "head '\(head)': no samples to compute metrics on: \(reason)"
        case .sampleCount(let head, let predictions, let labels):
            return "head '\(head)': \(predictions) predictions for \(labels) labelled samples; they must be equal"
        case .labelShape(let head, let encoding, let shape, let expected):
            let spelledShape = "[" + shape.map(String.init).joined(separator: ", ") + "]"
            return "head '\(head)': labels of shape \(spelledShape) do not fit \(DecodeError.spelled(encoding)): "
                + "expected \(expected)"
        case .invalidLabel(let head, let sample, let column, let value, let allowed):
            return "head '\(head)': sample \(sample)\(column.map { ", column \($0)" } ?? ""): label \(value) is "
                + "not allowed: expected \(allowed)"
        case .invalidPrediction(let head, let sample, let reason):
            return "head '\(head)': sample \(sample): prediction \(reason)"
        case .undefined(let head, let metric, let reason):
            return "head '\(head)': metric \(metric.spelled) has no value: \(reason)"
        }
    }
}
