import ModelFormat

/// `head.double-sigmoid` (error): the output already goes through Sigmoid, and the loss squashes
/// it again because `from_logits` is true: sigmoid for BINARY_CROSS_ENTROPY; a Sigmoid in front
/// of a softmax loss from logits (SOFTMAX_CROSS_ENTROPY, KL_DIVERGENCE,
/// ORDINAL_DISTANCE_CROSS_ENTROPY) counts too, since softmax of values in [0, 1] is as flat.
///
/// The loss reads probabilities as logits: sigmoid of them stays within [0.5, 0.73], so a
/// negative label can never be predicted and gradients shrink.
enum DoubleSigmoidCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.activation == .sigmoid, head.head.loss.fromLogits else { return [] }
        let consequence: String
        let fix: String
        if head.lossKind == .binaryCrossEntropy {
            consequence =
                "applies a sigmoid again because from_logits is true; the loss then sees probabilities "
                + "as logits, so every prediction stays between 0.5 and 0.73 and gradients vanish"
            fix =
                "point the head's output at the logits before the Sigmoid (the loss's fused form is more "
                + "stable), or set from_logits: false"
        } else if head.lossKind.appliesSoftmaxToLogits {
            let bound = head.numClasses.map { classes in
                " (at most \(squashedSoftmaxCeiling(classes: classes)) for C = \(classes))"
            }
            consequence =
                "applies softmax on top because from_logits is true; softmax of values in [0, 1] is "
                + "nearly uniform, so no class can get a high probability\(bound ?? "") and gradients vanish"
            fix = "remove the Sigmoid so the loss gets the logits of the last linear layer"
        } else {
            return []
        }
        return [
            Diagnostic(
                .error, "head.double-sigmoid", head.activationLocation(field: "loss.from_logits"),
                "the output already goes through \(head.activationPhrase), and \(spelled(head.lossKind)) "
                    + consequence,
                fix: fix)
        ]
    }
}
