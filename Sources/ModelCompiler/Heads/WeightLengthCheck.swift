import ModelFormat

/// `head.weight-length` (error): `class_weight` or `pos_weight` has the wrong number of entries.
///
/// `class_weight` is indexed by the target class, so it needs one entry per class (C).
/// `pos_weight` scales the positive term of each BCE output, so it needs one entry per output:
/// C for ONE_HOT, MULTI_HOT, SOFT_MULTI_LABEL and REAL, C − 1 for ORDINAL, the code length for
/// BINARY_CODE. (The proto comment says "length C", which is the same number for the first
/// group; for ORDINAL and BINARY_CODE the per-output reading is the only one that can work.)
/// Nothing is checked while either the list or num_classes is unset.
enum WeightLengthCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard let classes = head.numClasses else { return [] }
        let loss = head.head.loss
        var findings: [Diagnostic] = []
        if !loss.classWeight.isEmpty, loss.classWeight.count != classes {
            findings.append(
                Diagnostic(
                    .error, "head.weight-length", .init(field: "loss.class_weight"),
                    "class_weight has \(loss.classWeight.count) entries for \(classes) classes; weights are looked "
                        + "up by target class, so some classes would have no weight or read another's",
                    fix: "give exactly \(classes) weights, one per class in class-index order"))
        }
        if !loss.posWeight.isEmpty, let outputs = outputCount(head, classes: classes), loss.posWeight.count != outputs {
            let per = outputs == classes ? "\(classes) classes" : "\(outputs) outputs (\(outputsReason(head)))"
            findings.append(
                Diagnostic(
                    .error, "head.weight-length", .init(field: "loss.pos_weight"),
                    "pos_weight has \(loss.posWeight.count) entries for \(per); each entry scales the positive term "
                        + "of one output, so some outputs would be weighted by another's factor or not at all",
                    fix: "give exactly \(outputs) weights, one per output unit"))
        }
        return findings
    }

    /// How many output units the encoding trains, which is the length `pos_weight` needs.
    static func outputCount(_ head: HeadView, classes: Int) -> Int? {
        switch head.encodingKind {
        case .oneHot, .multiHot, .softMultiLabel, .real: return classes
        case .ordinal: return classes - 1
        case .binaryCode: return BinaryCodeLength.length(of: head.head.encoding, classes: classes)
        default: return nil
        }
    }

    private static func outputsReason(_ head: HeadView) -> String {
        head.encodingKind == .ordinal ? "ORDINAL trains C − 1 thresholds" : "one per BINARY_CODE bit"
    }
}
