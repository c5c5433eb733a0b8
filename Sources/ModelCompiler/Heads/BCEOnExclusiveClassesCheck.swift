import ModelFormat

/// `head.bce-on-exclusive-classes` (warning): BINARY_CROSS_ENTROPY on ONE_HOT targets.
///
/// BCE trains every output as an independent yes/no, but ONE_HOT classes are mutually
/// exclusive: the scores need not sum to 1, the loss does not use the fact that exactly one class
/// is right, and the many negative terms dominate when C is large. It trains, but worse than
/// softmax cross-entropy.
enum BCEOnExclusiveClassesCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.lossKind == .binaryCrossEntropy, head.encodingKind == .oneHot else { return [] }
        return [
            Diagnostic(
                .warning, "head.bce-on-exclusive-classes", .init(field: "loss.kind"),
                "BINARY_CROSS_ENTROPY trains each output as an independent yes/no, but ONE_HOT classes are "
                    + "mutually exclusive; the scores are not a distribution and the loss ignores that exactly one "
                    + "class is right, so training is slower and probabilities are poorly calibrated",
                fix: "use SOFTMAX_CROSS_ENTROPY with from_logits: true, or MULTI_HOT if a sample can have several "
                    + "labels")
        ]
    }
}
