import ModelCompiler

/// Kernels for Conv, ConvTranspose, FusedConv.
func makeConvolutionKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
