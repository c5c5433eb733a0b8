import ModelFormat

/// `head.output-width` (error): the output's class axis (when its size is known) does not match
/// the encoding: C for ONE_HOT, MULTI_HOT and SOFT_MULTI_LABEL (one score per class), C − 1 for
/// ORDINAL (one per threshold between consecutive levels).
///
/// Targets are built with that width, so a different output width either fails at run time or,
/// after broadcasting, trains units against the wrong classes. BINARY_CODE widths are checked by
/// `head.code-length`; REAL has no class count to compare with.
enum OutputWidthCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard let width = head.outputWidth, let classes = head.numClasses else { return [] }
        let expected: Int
        let reason: String
        switch head.encodingKind {
        case .oneHot, .multiHot, .softMultiLabel:
            expected = classes
            reason = "one score per class"
        case .ordinal:
            expected = classes - 1
            reason = "one per threshold between consecutive levels, C − 1"
        default:
            return []
        }
        guard width != expected else { return [] }
        let kind = spelled(head.encodingKind)
        let count = head.encodingKind == .ordinal ? "\(classes) levels" : "\(classes) classes"
        return [
            Diagnostic(
                .error, "head.output-width", .init(field: "encoding.num_classes"),
                "output '\(head.head.output)' has \(units(width)), but \(kind) with \(count) needs \(expected) "
                    + "(\(reason)), so outputs and targets would not line up",
                fix: "make the layer in front of the head produce \(units(expected)), or correct num_classes")
        ]
    }
}
