import ModelCompiler

/// Kernels for Cast, Concat, Gather, Split, Transpose.
func makeLayoutKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
