import Foundation
import ModelFormat
import SwiftProtobuf

/// One semantic lint of a head: a rule about how its encoding, loss, decoder, metrics and the
/// activation in front of its output fit together.
///
/// A check is a namespace with one static function, so the list of checks is a plain table
/// (`HeadLints.all`). Each check returns every finding it has; none stops at the first.
/// Diagnostics come back without `location.file` and `location.head`: `HeadLints.check`
/// fills them in. Each check lives in a file named after it and documents its code.
public protocol HeadCheck: Sendable {
    /// The findings of this check on one head; empty when the head passes.
    static func check(_ head: HeadView) -> [Diagnostic]
}

/// Runs every head check over every head of a model and collects all findings.
///
/// The structural head checks (values exist, enums in range) run in the verifier; these lints
/// assume they passed and judge whether the head makes sense: e.g. a Softmax in front of a
/// loss that applies softmax again (`head.double-softmax`).
public enum HeadLints {
    /// Every head check, in alphabetical order of the type name.
    public static let all: [any HeadCheck.Type] = [
        AccuracyOnlyMultiLabelCheck.self,
        ArgmaxOnIndependentOutputsCheck.self,
        ArgmaxSingleUnitCheck.self,
        BCEOnExclusiveClassesCheck.self,
        CodeLengthCheck.self,
        CumulativeMassEncodingCheck.self,
        DoubleSigmoidCheck.self,
        DoubleSoftmaxCheck.self,
        IgnoreIndexWithoutClassesCheck.self,
        LossEncodingCheck.self,
        MSEOnProbabilitiesCheck.self,
        NumericFieldRangeCheck.self,
        OutputWidthCheck.self,
        ProbabilityLossWithoutEpsilonCheck.self,
        ReluOutputBoundedTargetsCheck.self,
        SoftmaxAxisOfOneCheck.self,
        SoftmaxWithIndependentLabelsCheck.self,
        SoftmaxWithMultiHotCheck.self,
        ThresholdOnExclusiveClassesCheck.self,
        ThresholdOutOfRangeCheck.self,
        WeightLengthCheck.self,
    ]

    /// The findings of every check on every head of `model`, head by head.
    ///
    /// - Parameters:
    ///   - file: the model's path, copied into each diagnostic's location.
    ///   - shapes: a value's dims (nil entries unknown), e.g. from shape inference; by default
    ///     the dims declared in the graph (see `HeadView.make`).
    public static func check(
        _ model: ProtoModel, file: String?, shapes: ((String) -> [Int?]?)? = nil
    ) -> [Diagnostic] {
        var findings: [Diagnostic] = []
        for view in HeadView.make(model, shapes: shapes) {
            for check in all {
                for var diagnostic in check.check(view) {
                    diagnostic.location.file = file
                    diagnostic.location.head = view.name
                    findings.append(diagnostic)
                }
            }
        }
        return findings
    }
}

// MARK: - Facts the checks share

/// Which label encodings have bounded targets, several labels, and so on. Kept here so that every
/// check reads the same answer.
extension ProtoLabelEncoding.Kind {
    /// Encodings of classes (everything but REAL): targets are bounded, in [0, 1].
    var isClassEncoding: Bool { [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal].contains(self) }

    /// Encodings whose targets are several independent labels per sample.
    var isMultiLabel: Bool { [.multiHot, .softMultiLabel].contains(self) }
}

extension ProtoLoss.Kind {
    /// Losses that apply softmax to the output when `from_logits` is true.
    var appliesSoftmaxToLogits: Bool {
        [.softmaxCrossEntropy, .klDivergence, .ordinalDistanceCrossEntropy].contains(self)
    }
}

extension HeadView {
    var encodingKind: ProtoLabelEncoding.Kind { head.encoding.kind }
    var lossKind: ProtoLoss.Kind { head.loss.kind }

    /// `num_classes` when set (positive).
    var numClasses: Int? { head.encoding.numClasses > 0 ? Int(head.encoding.numClasses) : nil }

    /// The decoder that will run: the declared one, or the one derived from the encoding when unset
    /// (ONE_HOT → ARGMAX, MULTI_HOT → THRESHOLD, SOFT_MULTI_LABEL → CUMULATIVE_MASS,
    /// BINARY_CODE → NEAREST_CODE, ORDINAL → ORDINAL_COUNT, REAL → IDENTITY).
    var effectiveDecoder: ProtoDecoder.Kind {
        head.decoder.kind != .unspecified ? head.decoder.kind : encodingKind.defaultDecoder
    }

    /// The decoder's name for messages, saying when it was derived from the encoding.
    var decoderDescription: String {
        let name = ModelSummary.enumName(effectiveDecoder)
        let encoding = ModelSummary.enumName(encodingKind)
        return head.decoder.kind == .unspecified ? "\(name) (derived from \(encoding))" : name
    }

    /// The op name of the output activation (`Softmax`, `Sigmoid`, ...), nil for a linear output.
    var activationOp: String? {
        switch activation {
        case .none: return nil
        case .softmax: return "Softmax"
        case .logSoftmax: return "LogSoftmax"
        case .sigmoid: return "Sigmoid"
        case .relu: return "Relu"
        case .tanh: return "Tanh"
        case .other(let op): return op
        }
    }

    /// "Softmax (node 'probs')", for messages about the activation in front of the output.
    var activationPhrase: String {
        let op = activationOp ?? "the output op"
        return producerNode.map { "\(op) (node '\($0)')" } ?? op
    }

    /// A location on the activation node, when the output has one, and `field`.
    ///
    /// A linear output's node is left out: the finding is about the head, not that layer.
    func activationLocation(field: String?) -> Diagnostic.Location {
        guard let op = activationOp, let node = producerNode else { return .init(field: field) }
        return .init(node: node, op: op, field: field)
    }
}

/// Wording the checks share; members of the protocol so they do not crowd the module's namespace.
extension HeadCheck {
    /// The proto spelling of an enum value (SOFTMAX_CROSS_ENTROPY), as the model file writes it.
    static func spelled<E: SwiftProtobuf.Enum>(_ value: E) -> String { ModelSummary.enumName(value) }

    /// "1 unit", "4 units".
    static func units(_ count: Int) -> String { count == 1 ? "1 unit" : "\(count) units" }

    /// The largest probability softmax can give one class when its inputs lie in [0, 1].
    ///
    /// That is e / (e + C − 1), reached when the inputs are already probabilities (one 1, the
    /// rest 0); it makes double-squashing messages concrete.
    static func squashedSoftmaxCeiling(classes: Int) -> String {
        let e = exp(1.0)
        return String(format: "%.2f", e / (e + Double(classes) - 1))
    }
}
