import ModelFormat

/// `head.mse-on-probabilities` (warning): MEAN_SQUARED_ERROR on a class encoding (ONE_HOT,
/// MULTI_HOT, SOFT_MULTI_LABEL, BINARY_CODE, ORDINAL) behind a Sigmoid or Softmax.
///
/// Squared error after a squashing activation is non-convex in the logits, and its gradient
/// carries the activation's derivative, which is near 0 exactly when the output saturates at the
/// wrong value; cross-entropy cancels that factor and trains much faster.
enum MSEOnProbabilitiesCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.lossKind == .meanSquaredError, head.encodingKind.isClassEncoding else { return [] }
        switch head.activation {
        case .sigmoid, .softmax: break
        default: return []
        }
        let suggested =
            [.oneHot, .softMultiLabel].contains(head.encodingKind)
            ? "SOFTMAX_CROSS_ENTROPY" : "BINARY_CROSS_ENTROPY"
        return [
            Diagnostic(
                .warning, "head.mse-on-probabilities", head.activationLocation(field: "loss.kind"),
                "MEAN_SQUARED_ERROR compares the probabilities of \(head.activationPhrase) with "
                    + "\(spelled(head.encodingKind)) targets; through the squashing activation the loss is "
                    + "non-convex and its gradient vanishes when an output saturates at the wrong value, so "
                    + "training is slow",
                fix: "use \(suggested) with from_logits: true on the logits before the \(head.activationOp ?? "")")
        ]
    }
}
