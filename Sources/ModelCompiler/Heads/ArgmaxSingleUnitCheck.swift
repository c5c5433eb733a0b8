import ModelFormat

/// `head.argmax-single-unit` (error): the ARGMAX decoder (declared, or derived from ONE_HOT) reads
/// an output whose class axis has width 1.
///
/// The arg-max of one score is always index 0, so every sample decodes to class 0. A single
/// output is a yes/no score that needs a threshold, or the output lacks its class axis.
enum ArgmaxSingleUnitCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.effectiveDecoder == .argmax, head.outputWidth == 1 else { return [] }
        return [
            Diagnostic(
                .error, "head.argmax-single-unit", .init(field: "decoder.kind"),
                "the decoder \(head.decoderDescription) picks the highest of the output's scores, but output "
                    + "'\(head.head.output)' has width 1, so every sample decodes to class 0",
                fix: "give the output one score per class, or decode a single yes/no output with THRESHOLD")
        ]
    }
}
