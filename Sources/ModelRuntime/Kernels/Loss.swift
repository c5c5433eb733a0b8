import ModelCompiler

/// Kernels for SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss.
func makeLossKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    throw node.error("no CPU kernel yet (the runtime issue adds it)")
}
