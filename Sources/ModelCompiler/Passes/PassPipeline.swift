/// The passes of each optimisation level, in order, in one place.
public enum PassPipeline {
    /// Passes for `level` and `target`.
    public static func passes(for level: OptimizationLevel, target: CompileTarget) -> [any GraphPass] {
        var passes: [any GraphPass] = []
        guard level != .O0 else { return passes }
        if target == .training {
            // Trainable weights must keep their names, layouts and producers: no constant
            // folding (it would bake a weight into a new constant). Transpose folding would be
            // safe (it flips transA/transB and leaves the weight as stored) but is not part of
            // this pipeline.
            passes += [EliminateCommonSubexpressions()]
            if level == .O2 { passes += [CollapseReshapeChains(), FuseMatMulAdd()] }
            return passes + [EliminateDeadCode()]
        }
        passes.append(RemoveIdentityOps())  // Identity and inference-mode Dropout are copies
        passes += [FoldConstants(), EliminateCommonSubexpressions()]
        if level == .O2 {
            passes += [
                CollapseReshapeChains(),
                FuseMatMulAdd(),  // before the transpose folding: it creates the Gemms that absorb transposes
                FoldTransposeIntoGemm(),
            ]
            // BatchNormalization folds only with frozen statistics; activations fuse last,
            // after the Gemm/Conv they attach to have their final form (a residual Add first).
            passes += [FoldBatchNormalization(), FuseResidualAdd(), FuseSwish(), FuseActivation()]
        }
        passes += [EliminateDeadCode(), RemoveUnusedInitializers()]
        return passes
    }

    /// Passes over a training graph's lowered losses (after head lowering, before autodiff):
    /// losses on probabilities become the fused stable forms on logits.
    public static func lossPasses(for level: OptimizationLevel) -> [any GraphPass] {
        level == .O0 ? [] : [FuseSoftmaxCrossEntropy(), FuseSigmoidBinaryCrossEntropy()]
    }

    /// Runs `passes` in order; `verify` (tests pass a check) runs after every pass that changed.
    public static func run(
        _ passes: [any GraphPass], on graph: inout Graph, context: PassContext,
        verify: ((Graph, String) throws(CompileError) -> Void)? = nil
    ) throws(CompileError) -> [PassReportEntry] {
        var report: [PassReportEntry] = []
        for pass in passes {
            let before = graph.nodes.count
            let changed = try pass.run(on: &graph, context: context)
            if changed {
                graph.compact()
                try verify?(graph, pass.name)
            }
            report.append(
                PassReportEntry(pass: pass.name, changed: changed, nodesBefore: before, nodesAfter: graph.nodes.count))
        }
        return report
    }
}
