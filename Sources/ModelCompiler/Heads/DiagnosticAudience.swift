/// Which findings matter to whom: `modelrun infer` shows only those that change what inference
/// computes or decodes; `train` and `eval` show them all.
///
/// The loss, metric and training-section findings say nothing about the predictions of a model
/// that is already trained, so inference leaves them out.
extension Diagnostic {
    /// Codes about how a head trains or is scored, not what it predicts.
    static let trainingOnlyCodes: Set<String> = [
        "head.accuracy-only-multi-label",
        "head.bce-on-exclusive-classes",
        "head.ignore-index-without-classes",
        "head.loss-encoding",
        "head.mse-on-probabilities",
        "head.probability-loss-without-epsilon",
        "head.relu-output-bounded-targets",
        "head.weight-length",
        "pass.unused-initializer",
    ]

    /// Whether this finding concerns running the model for predictions.
    public var concernsInference: Bool {
        !code.hasPrefix("training.") && !code.hasPrefix("train.") && !Self.trainingOnlyCodes.contains(code)
    }
}
