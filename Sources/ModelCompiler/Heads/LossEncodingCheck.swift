import ModelFormat

/// `head.loss-encoding` (error): the loss cannot consume the targets the encoding produces.
///
/// `table` below is the single place that says which encodings each loss accepts. The choices:
/// - MEAN_SQUARED_ERROR, MEAN_ABSOLUTE_ERROR, HUBER and COSINE_PROXIMITY compare numbers and
///   accept every encoding (MSE behind a squashing activation is a warning elsewhere).
/// - BINARY_CROSS_ENTROPY needs targets in [0, 1]: every class encoding, not REAL.
/// - SOFTMAX_CROSS_ENTROPY and CATEGORICAL_CROSS_ENTROPY need one distribution over classes:
///   ONE_HOT or SOFT_MULTI_LABEL. SOFTMAX_CROSS_ENTROPY with MULTI_HOT is left to
///   `head.softmax-with-multi-hot` (`reportedElsewhere`), so one mistake gives one finding;
///   CATEGORICAL_CROSS_ENTROPY is not covered there, so MULTI_HOT is reported here.
/// - NEGATIVE_LOG_LIKELIHOOD picks one log-probability by class index: ONE_HOT only (MULTI_HOT
///   again left to `head.softmax-with-multi-hot`).
/// - KL_DIVERGENCE compares distributions: ONE_HOT or SOFT_MULTI_LABEL (a MULTI_HOT row does not
///   sum to 1).
/// - ORDINAL_DISTANCE_CROSS_ENTROPY weighs a softmax over C classes by the distance of the
///   arg-max from the target class index: ONE_HOT only (an ORDINAL encoding trains C − 1
///   threshold units, not C class scores).
/// Unset or unknown kinds are left to the structural checks.
enum LossEncodingCheck: HeadCheck {
    /// What a loss needs from its targets.
    struct Requirement: Sendable {
        /// Encodings whose targets the loss can consume.
        let accepts: Set<ProtoLabelEncoding.Kind>
        /// "<loss> needs ..." — what the loss does with the target, for the message.
        let needs: String
        /// Encodings the loss cannot consume whose finding another, more specific check reports.
        var reportedElsewhere: Set<ProtoLabelEncoding.Kind> = []
    }

    static let table: [ProtoLoss.Kind: Requirement] = [
        .binaryCrossEntropy: Requirement(
            accepts: [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal],
            needs: "targets in [0, 1], one independent probability per output"),
        .categoricalCrossEntropy: Requirement(
            accepts: [.oneHot, .softMultiLabel],
            needs: "one probability distribution over classes per sample"),
        .cosineProximity: Requirement(
            accepts: [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal, .real],
            needs: "target vectors"),
        .huber: Requirement(
            accepts: [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal, .real],
            needs: "numeric targets"),
        .klDivergence: Requirement(
            accepts: [.oneHot, .softMultiLabel],
            needs: "one probability distribution over classes per sample, summing to 1"),
        .meanAbsoluteError: Requirement(
            accepts: [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal, .real],
            needs: "numeric targets"),
        .meanSquaredError: Requirement(
            accepts: [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal, .real],
            needs: "numeric targets"),
        .negativeLogLikelihood: Requirement(
            accepts: [.oneHot],
            needs: "one class index per sample, to pick that class's log-probability",
            reportedElsewhere: [.multiHot]),
        .ordinalDistanceCrossEntropy: Requirement(
            accepts: [.oneHot],
            needs: "one class index per sample and one score per class (ONE_HOT), to weigh the softmax "
                + "cross-entropy by how far the predicted class is from it"),
        .softmaxCrossEntropy: Requirement(
            accepts: [.oneHot, .softMultiLabel],
            needs: "one probability distribution over classes per sample",
            reportedElsewhere: [.multiHot]),
    ]

    /// What each encoding hands the loss, for the message.
    static func produces(_ kind: ProtoLabelEncoding.Kind) -> String {
        switch kind {
        case .oneHot: return "a one-hot row per class index"
        case .multiHot: return "a 0/1 row with any number of ones (independent labels)"
        case .softMultiLabel: return "a row of 1/k over the k labels"
        case .binaryCode: return "independent 0/1 code bits, not class scores"
        case .ordinal: return "C − 1 cumulative 0/1 threshold targets, not class scores"
        case .real: return "unbounded real values with no classes"
        default: return "no targets"
        }
    }

    /// The usual loss for an encoding, for the fix.
    static func suggestedLoss(_ kind: ProtoLabelEncoding.Kind) -> String {
        switch kind {
        case .oneHot, .softMultiLabel: return "SOFTMAX_CROSS_ENTROPY with from_logits: true"
        case .multiHot, .binaryCode, .ordinal: return "BINARY_CROSS_ENTROPY with from_logits: true"
        default: return "MEAN_SQUARED_ERROR or HUBER"
        }
    }

    static func check(_ head: HeadView) -> [Diagnostic] {
        let encoding = head.encodingKind
        guard let requirement = table[head.lossKind], encoding != .unspecified,
            !requirement.accepts.contains(encoding), !requirement.reportedElsewhere.contains(encoding)
        else { return [] }
        if case .UNRECOGNIZED = encoding { return [] }
        let loss = spelled(head.lossKind)
        let accepted = requirement.accepts.map { spelled($0) }.sorted().joined(separator: ", ")
        return [
            Diagnostic(
                .error, "head.loss-encoding", .init(field: "loss.kind"),
                "\(loss) cannot train on \(spelled(encoding)) targets: it needs \(requirement.needs), but "
                    + "\(spelled(encoding)) gives \(produces(encoding))",
                fix: "use \(suggestedLoss(encoding)) for \(spelled(encoding)) targets, or an encoding \(loss) "
                    + "accepts (\(accepted))")
        ]
    }
}
