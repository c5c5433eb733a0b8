import ModelFormat

/// The form in which a head's encoded target reaches its loss during training.
///
/// Class-index losses (softmax cross-entropy, negative log-likelihood, ordinal-distance
/// cross-entropy) on a ONE_HOT head take the class index itself, as PyTorch CrossEntropyLoss
/// and ONNX SoftmaxCrossEntropyLoss do: that is what lets `class_weight` index by the target
/// class, `ignore_index` drop a target, and label smoothing follow PyTorch. Every other
/// combination takes a dense float target shaped like the head output.
///
/// The compiler's head lowering declares the target input in this form and the runtime's
/// label encoders produce it: this enum is the one place both read.
public enum TargetForm: Equatable, Sendable {
    /// INT64 class indices `[N, d1..dk]` for an output `[N, C, d1..dk]`.
    case classIndex
    /// FLOAT targets with the output's shape `[N, W, d1..dk]`.
    case dense

    /// The form for a head's encoding and loss.
    public static func of(encoding: ProtoLabelEncoding.Kind, loss: ProtoLoss.Kind) -> TargetForm {
        guard encoding == .oneHot else { return .dense }
        switch loss {
        case .softmaxCrossEntropy, .negativeLogLikelihood, .ordinalDistanceCrossEntropy: return .classIndex
        default: return .dense
        }
    }

    /// The form for `head`.
    public static func of(_ head: ProtoHead) -> TargetForm {
        of(encoding: head.encoding.kind, loss: head.loss.kind)
    }
}
