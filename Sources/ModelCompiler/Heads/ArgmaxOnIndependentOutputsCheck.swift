import ModelFormat

/// `head.argmax-on-independent-outputs`: the exclusive-class decoder ARGMAX on a head whose
/// outputs are not one score per exclusive class.
///
/// - BINARY_CODE and ORDINAL (error): the outputs are code bits or cumulative thresholds, so
///   the arg-max is the index of a bit or a threshold, never a class; NEAREST_CODE and
///   ORDINAL_COUNT decode them.
/// - MULTI_HOT (warning): the outputs are independent labels, and ARGMAX returns exactly
///   `top_k` of them for every sample, however many are present. That is a choice one can make
///   on purpose (every sample has k labels), so it is not an error; THRESHOLD is the usual decoder.
enum ArgmaxOnIndependentOutputsCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        // A width-1 output is `head.argmax-single-unit`'s finding.
        guard head.effectiveDecoder == .argmax, head.outputWidth != 1 else { return [] }
        let encoding = spelled(head.encodingKind)
        switch head.encodingKind {
        case .binaryCode, .ordinal:
            let (outputs, decoder) =
                head.encodingKind == .binaryCode
                ? ("code bits", "NEAREST_CODE") : ("cumulative thresholds", "ORDINAL_COUNT")
            return [
                Diagnostic(
                    .error, "head.argmax-on-independent-outputs", .init(field: "decoder.kind"),
                    "the decoder \(head.decoderDescription) picks the highest output as the class, but \(encoding) "
                        + "outputs are \(outputs), so the arg-max is the index of a \(outputs.dropLast()) and never a "
                        + "class",
                    fix: "use the \(decoder) decoder (or leave decoder.kind unset to derive it)")
            ]
        case .multiHot:
            let k = max(1, Int(head.head.decoder.topK))
            return [
                Diagnostic(
                    .warning, "head.argmax-on-independent-outputs", .init(field: "decoder.kind"),
                    "the decoder \(head.decoderDescription) returns exactly \(k) label(s) per sample, but MULTI_HOT "
                        + "samples can have any number of labels, so samples with more miss labels and samples with "
                        + "fewer get false ones",
                    fix: "use the THRESHOLD decoder (or leave decoder.kind unset), with max_labels to cap the count")
            ]
        default:
            return []
        }
    }
}
