/// A loss on probabilities that a Softmax (or LogSoftmax) node made becomes softmax
/// cross-entropy on the logits, the stable fused form: Softmax(z) → CATEGORICAL_CROSS_ENTROPY
/// and LogSoftmax(z) → NEGATIVE_LOG_LIKELIHOOD both become SOFTMAX_CROSS_ENTROPY on z (class
/// axis 1). The values agree except where a probability falls below the ε clip, where the
/// fused form keeps the exact gradient instead of a clipped or vanishing one.
///
/// Runs on training graphs after head lowering; the activation node stays when anything else
/// reads it (the head output is still decoded from probabilities).
struct FuseSoftmaxCrossEntropy: GraphPass {
    let name = "fuse-softmax-cross-entropy"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        LossFusion.rewire(&graph, activation: [.softmax, .logSoftmax]) { activation, rank, settings in
            let fusible =
                (activation.op == .softmax && settings.kind == .categoricalCrossEntropy)
                || (activation.op == .logSoftmax && settings.kind == .negativeLogLikelihood)
            guard fusible, let rank else { return false }
            let axis = activation.attributes.int("axis", default: -1)
            guard (axis < 0 ? axis + rank : axis) == 1 else { return false }
            settings.kind = .softmaxCrossEntropy
            settings.fromLogits = true
            return true
        }
    }
}
