import ModelCompiler

/// Kernels for ReduceMax, ReduceMean, ReduceSum, ArgMax.
func makeReductionKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
