import ModelFormat

/// `head.ignore-index-without-classes` (error): `ignore_index` is set, but the encoding's targets
/// have no class index to compare it with (MULTI_HOT, SOFT_MULTI_LABEL, REAL).
///
/// ignore_index drops samples whose target class equals it; with 0/1 rows or real values no
/// sample ever matches, so the setting silently does nothing.
enum IgnoreIndexWithoutClassesCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.head.loss.ignore != nil, [.multiHot, .softMultiLabel, .real].contains(head.encodingKind) else {
            return []
        }
        let targets = head.encodingKind == .real ? "real values" : "0/1 label rows"
        return [
            Diagnostic(
                .error, "head.ignore-index-without-classes", .init(field: "loss.ignore_index"),
                "ignore_index is \(head.head.loss.ignoreIndex), but \(spelled(head.encodingKind)) targets are "
                    + "\(targets) with no class index to compare it with, so no sample would ever be ignored",
                fix: "remove ignore_index, and leave samples out with a sample_weight of 0 instead")
        ]
    }
}
