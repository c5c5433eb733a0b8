import ModelCompiler

/// Kernels for BatchNormalization, LayerNormalization.
func makeNormalizationKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
