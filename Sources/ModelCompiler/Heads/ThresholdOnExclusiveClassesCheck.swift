import ModelFormat

/// `head.threshold-on-exclusive-classes` (warning): the THRESHOLD decoder on ONE_HOT classes.
///
/// THRESHOLD returns every class whose probability reaches the threshold, so a sample of
/// mutually exclusive classes can decode to no class at all or (with a threshold under 0.5) to
/// several. That can be meant (abstain when unsure), so it is a warning; ARGMAX always gives the
/// one most probable class.
enum ThresholdOnExclusiveClassesCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.effectiveDecoder == .threshold, head.encodingKind == .oneHot else { return [] }
        return [
            Diagnostic(
                .warning, "head.threshold-on-exclusive-classes", .init(field: "decoder.kind"),
                "the THRESHOLD decoder returns every class whose probability reaches the threshold, but ONE_HOT "
                    + "classes are mutually exclusive, so a sample can decode to no class or to several",
                fix: "use the ARGMAX decoder (top_k for several ranked guesses), or keep THRESHOLD if abstaining "
                    + "below a confidence is what you want")
        ]
    }
}
