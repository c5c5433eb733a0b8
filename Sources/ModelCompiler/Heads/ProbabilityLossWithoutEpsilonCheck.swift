import ModelFormat

/// `head.probability-loss-without-epsilon` (warning): a cross-entropy computed on probabilities
/// (CATEGORICAL_CROSS_ENTROPY, or BINARY_CROSS_ENTROPY / KL_DIVERGENCE with from_logits false)
/// with `epsilon` unset.
///
/// Such a loss takes log of the output, so it clips the output to [ε, 1 − ε] first; unset means
/// ε = 1e-7. The clip keeps log(0) finite but caps a confidently wrong sample's loss at
/// −log(1e-7) ≈ 16.1 with zero gradient, which is worth choosing on purpose. Logits avoid the
/// clip altogether.
enum ProbabilityLossWithoutEpsilonCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        let loss = head.head.loss
        let probabilitySpace: Bool
        switch loss.kind {
        case .categoricalCrossEntropy: probabilitySpace = true  // defined on probabilities (DESIGN §3)
        case .binaryCrossEntropy, .klDivergence: probabilitySpace = !loss.fromLogits
        default: probabilitySpace = false
        }
        // Softmax before BCE on independent targets is the mistake to fix first (its fix, logits,
        // needs no epsilon): `head.softmax-with-independent-labels` reports it alone.
        guard probabilitySpace, loss.epsilon == 0, !SoftmaxWithIndependentLabelsCheck.applies(to: head) else {
            return []
        }
        let logits =
            loss.kind == .categoricalCrossEntropy
            ? "SOFTMAX_CROSS_ENTROPY with from_logits: true" : "from_logits: true"
        return [
            Diagnostic(
                .warning, "head.probability-loss-without-epsilon", .init(field: "loss.epsilon"),
                "\(spelled(loss.kind)) takes the log of probabilities and epsilon is unset, so the default 1e-7 "
                    + "clips them to [1e-7, 1 − 1e-7]: log(0) is avoided, but a confidently wrong output is "
                    + "capped at a loss of 16.1 and gets no gradient",
                fix: "set loss.epsilon explicitly, or train on the logits with \(logits), which needs no clipping")
        ]
    }
}
