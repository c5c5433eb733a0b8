import ModelFormat

/// `head.double-softmax` (error): the output already goes through Softmax, and the loss squashes
/// it again because `from_logits` is true: softmax for SOFTMAX_CROSS_ENTROPY, KL_DIVERGENCE and
/// ORDINAL_DISTANCE_CROSS_ENTROPY, sigmoid for BINARY_CROSS_ENTROPY.
///
/// The loss then reads probabilities in [0, 1] as logits: softmax of them can give no class more
/// than e / (e + C − 1), sigmoid of them stays within [0.5, 0.73], so the loss cannot approach
/// 0 and its gradients shrink. Softmax before BCE on independent 0/1 targets is reported by
/// `head.softmax-with-independent-labels` instead, one finding per mistake.
enum DoubleSoftmaxCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard case .softmax = head.activation, head.head.loss.fromLogits else { return [] }
        let consequence: String
        let fix: String
        if head.lossKind.appliesSoftmaxToLogits {
            let bound = head.numClasses.map { classes in
                "no class can get more than \(squashedSoftmaxCeiling(classes: classes)) probability (C = \(classes))"
            }
            consequence =
                "applies softmax again because from_logits is true; the loss then sees probabilities "
                + "as logits, so \(bound ?? "the loss cannot approach 0") and gradients vanish"
            fix =
                "point the head's output at the logits before the Softmax (the loss's fused log-softmax is more "
                + "stable), or set from_logits: false"
        } else if head.lossKind == .binaryCrossEntropy && !SoftmaxWithIndependentLabelsCheck.applies(to: head) {
            consequence =
                "applies a sigmoid on top because from_logits is true; the sigmoid only sees "
                + "probabilities in [0, 1], so every prediction stays between 0.5 and 0.73 and gradients vanish"
            fix =
                "point the head's output at the logits before the Softmax, and use SOFTMAX_CROSS_ENTROPY if the "
                + "classes are exclusive"
        } else {
            return []
        }
        return [
            Diagnostic(
                .error, "head.double-softmax", head.activationLocation(field: "loss.from_logits"),
                "the output already goes through \(head.activationPhrase), and \(spelled(head.lossKind)) "
                    + consequence,
                fix: fix)
        ]
    }
}
