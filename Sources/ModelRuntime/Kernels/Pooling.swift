import ModelCompiler

/// Kernels for MaxPool, AveragePool, GlobalAveragePool.
func makePoolingKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
