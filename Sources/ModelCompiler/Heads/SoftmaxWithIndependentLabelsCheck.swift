import ModelFormat

/// `head.softmax-with-independent-labels` (error): a Softmax or LogSoftmax on the path to the
/// output of a head whose targets are independent 0/1 values — MULTI_HOT labels, BINARY_CODE
/// bits, ORDINAL thresholds, or SOFT_MULTI_LABEL rows — trained with BINARY_CROSS_ENTROPY,
/// whatever `from_logits` says.
///
/// The textbook "softmax for multi-label" mistake. Softmax makes the outputs compete for one
/// unit of probability, so k labels present together can reach at most 1/k each, and BCE,
/// which scores every output on its own, keeps pushing them against each other. With
/// `from_logits: false` the loss trains on those capped probabilities; with `from_logits: true`
/// it squashes them again through a sigmoid. Either way the model underfits while the loss
/// looks sane. (`head.double-softmax` covers the from-logits case for other encodings.)
enum SoftmaxWithIndependentLabelsCheck: HeadCheck {
    /// Encodings whose targets are independent 0/1 values per output.
    static let independentTargets: Set<ProtoLabelEncoding.Kind> = [.multiHot, .softMultiLabel, .binaryCode, .ordinal]

    /// Whether this check reports `head` (so other checks can leave the same mistake to it).
    static func applies(to head: HeadView) -> Bool {
        head.lossKind == .binaryCrossEntropy && independentTargets.contains(head.encodingKind)
            && head.softmaxOnPath != nil
    }

    static func check(_ head: HeadView) -> [Diagnostic] {
        guard applies(to: head), let softmax = head.softmaxOnPath else { return [] }
        let targets: String
        switch head.encodingKind {
        case .multiHot: targets = "MULTI_HOT labels are independent (a sample can have several)"
        case .softMultiLabel: targets = "BINARY_CROSS_ENTROPY scores each SOFT_MULTI_LABEL output on its own"
        case .binaryCode: targets = "BINARY_CODE bits are independent (a codeword has several ones)"
        default: targets = "ORDINAL thresholds are cumulative (level k sets k outputs to 1)"
        }
        let how =
            head.head.loss.fromLogits
            ? "with from_logits: true the loss then applies a sigmoid on top of the probabilities"
            : "with from_logits: false the loss trains on those capped probabilities"
        return [
            Diagnostic(
                .error, "head.softmax-with-independent-labels",
                .init(node: softmax.node, op: softmax.op, field: "loss.kind"),
                "the output goes through \(softmax.op) (node '\(softmax.node)'), which makes the outputs compete "
                    + "for one unit of probability, but \(targets): outputs that should be 1 together can reach at "
                    + "most 1/k each, and \(how)",
                fix: "remove the \(softmax.op) and train on the logits with from_logits: true (the fused, stable "
                    + "form), or use Sigmoid with from_logits: false")
        ]
    }
}
