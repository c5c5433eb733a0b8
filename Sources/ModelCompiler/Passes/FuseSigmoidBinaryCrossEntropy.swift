/// BINARY_CROSS_ENTROPY on probabilities that a Sigmoid node made becomes BCE with logits on
/// the Sigmoid's input: max(z,0) − z·t + log(1+e^−|z|) instead of log(σ(z)) clipped by ε,
/// which saturates (zero gradient) once σ(z) reaches the clip. `pos_weight` and
/// `class_weight` carry over unchanged.
///
/// Runs on training graphs after head lowering; the Sigmoid stays when anything else reads it.
struct FuseSigmoidBinaryCrossEntropy: GraphPass {
    let name = "fuse-sigmoid-binary-cross-entropy"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        LossFusion.rewire(&graph, activation: [.sigmoid]) { _, _, settings in
            guard settings.kind == .binaryCrossEntropy, !settings.fromLogits else { return false }
            settings.fromLogits = true
            return true
        }
    }
}
