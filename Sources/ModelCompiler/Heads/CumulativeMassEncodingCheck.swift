import ModelFormat

/// `head.cumulative-mass-encoding` (error): a CUMULATIVE_MASS decoder (declared, or derived from
/// SOFT_MULTI_LABEL) on a head that does not train a distribution over labels.
///
/// The decoder sorts the outputs as probabilities and takes labels until their sum reaches
/// `mass`. That reading needs SOFT_MULTI_LABEL targets (1/k per label) and outputs that sum
/// to 1: a Softmax activation, or logits trained by a softmax loss from logits
/// (SOFTMAX_CROSS_ENTROPY, or KL_DIVERGENCE whose q = softmax(x)). With independent sigmoid
/// scores the running sum can pass `mass` after one label or never.
enum CumulativeMassEncodingCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.effectiveDecoder == .cumulativeMass else { return [] }
        if head.encodingKind != .softMultiLabel {
            return [
                Diagnostic(
                    .error, "head.cumulative-mass-encoding", .init(field: "decoder.kind"),
                    "CUMULATIVE_MASS decodes labels by summing output probabilities up to `mass`, which only "
                        + "makes sense for a distribution over labels, but the encoding is "
                        + "\(spelled(head.encodingKind)), which does not train one",
                    fix: "use encoding SOFT_MULTI_LABEL with SOFTMAX_CROSS_ENTROPY, or the decoder that fits "
                        + "\(spelled(head.encodingKind)) (leave decoder.kind unset to derive it)")
            ]
        }
        if case .softmax = head.activation { return [] }
        let softmaxLoss = [.softmaxCrossEntropy, .klDivergence].contains(head.lossKind) && head.head.loss.fromLogits
        guard !softmaxLoss else { return [] }
        let output = head.activationOp == nil ? "is not normalised" : "goes through \(head.activationPhrase)"
        var loss = "the head has no loss"
        if head.lossKind != .unspecified {
            loss = "the loss is \(spelled(head.lossKind))" + (head.head.loss.fromLogits ? " from logits" : "")
        }
        return [
            Diagnostic(
                .error, "head.cumulative-mass-encoding", head.activationLocation(field: "decoder.kind"),
                "the decoder \(head.decoderDescription) sums output probabilities up to `mass`, but the output "
                    + "\(output) and \(loss), so the outputs are not a softmax distribution and the running sum "
                    + "can stop after one label or never reach `mass`",
                fix: "train the logits with SOFTMAX_CROSS_ENTROPY and from_logits: true, or end the output with "
                    + "Softmax over the label axis")
        ]
    }
}
