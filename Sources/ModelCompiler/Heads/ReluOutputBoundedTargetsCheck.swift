import ModelFormat

/// `head.relu-output-bounded-targets` (warning): the head's output goes through Relu while its
/// targets are bounded class targets (any encoding but REAL).
///
/// Relu zeroes every negative score, so the loss never sees a negative logit: units pushed
/// below 0 get no gradient and stay dead, and a class can only be scored down to 0, not below
/// the others. Losses and decoders expect raw logits (or probabilities) here.
enum ReluOutputBoundedTargetsCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.activation == .relu, head.encodingKind.isClassEncoding else { return [] }
        return [
            Diagnostic(
                .warning, "head.relu-output-bounded-targets", head.activationLocation(field: nil),
                "the output goes through \(head.activationPhrase), but \(spelled(head.encodingKind)) targets are "
                    + "bounded class targets; Relu cuts every negative score to 0, so outputs pushed below 0 get no "
                    + "gradient and stay dead, and the loss never sees the logits it expects",
                fix: "remove the Relu so the head reads the last linear layer's logits; the loss or decoder applies "
                    + "Sigmoid or Softmax itself")
        ]
    }
}
