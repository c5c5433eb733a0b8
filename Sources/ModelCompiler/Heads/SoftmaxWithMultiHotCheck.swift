import ModelFormat

/// `head.softmax-with-multi-hot` (error): a softmax-based loss (SOFTMAX_CROSS_ENTROPY, or
/// NEGATIVE_LOG_LIKELIHOOD on log-softmax outputs) trained against MULTI_HOT targets.
///
/// Softmax spreads one unit of probability over the classes, so labels that are present
/// together compete: a sample with k labels can reach at most 1/k on each, and the loss keeps
/// pushing them against each other. Independent labels need one sigmoid per output.
enum SoftmaxWithMultiHotCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.encodingKind == .multiHot,
            [.softmaxCrossEntropy, .negativeLogLikelihood].contains(head.lossKind)
        else { return [] }
        let reads =
            head.lossKind == .negativeLogLikelihood
            ? "reads log-softmax outputs" : "normalises the outputs with softmax"
        return [
            Diagnostic(
                .error, "head.softmax-with-multi-hot", .init(field: "loss.kind"),
                "\(spelled(head.lossKind)) \(reads), but MULTI_HOT labels are independent; "
                    + "softmax makes labels that occur together compete for one unit of probability, so a sample "
                    + "with several labels can never be fitted",
                fix: "use BINARY_CROSS_ENTROPY with from_logits: true for independent labels, or encoding "
                    + "SOFT_MULTI_LABEL to train a distribution over the labels")
        ]
    }
}
