import ModelFormat

/// `head.accuracy-only-multi-label` (warning): ACCURACY is the only metric of a MULTI_HOT or
/// SOFT_MULTI_LABEL head.
///
/// On label sets accuracy says little: counted per label it is high even when nothing is
/// predicted (most labels are absent), counted per sample it gives no credit to a partly right
/// set. Either way it hides whether the rare labels are being found.
enum AccuracyOnlyMultiLabelCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        let metrics = Set(head.head.metric)
        guard head.encodingKind.isMultiLabel, metrics == [.accuracy] else { return [] }
        return [
            Diagnostic(
                .warning, "head.accuracy-only-multi-label", .init(field: "metric"),
                "ACCURACY is the only metric of this \(spelled(head.encodingKind)) head; with several labels per "
                    + "sample it reads high when few labels are present even if nothing is predicted, and gives no "
                    + "credit for partly right label sets, so it hides whether labels are found",
                fix: "add F1_SAMPLES (per-sample overlap of label sets) and EXACT_MATCH")
        ]
    }
}
