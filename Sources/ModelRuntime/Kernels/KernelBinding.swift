import ModelCompiler

/// The kernel for a bound node. The switch is exhaustive over `OpType`: a new op does not
/// compile until it has a kernel here or an explicit "not yet" with the reason.
func makeKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .abs, .elu, .exp, .gelu, .leakyRelu, .log, .neg, .relu, .selu, .sigmoid, .softplus, .sqrt, .tanh:
        return try UnaryKernel(binding: node)
    case .clip:
        return try ClipKernel(binding: node)
    case .add, .sub, .mul, .div, .pow:
        return try BinaryKernel(binding: node)
    case .gemm, .fusedGemm:
        return try GemmKernel(binding: node)
    case .matMul:
        return try MatMulKernel(binding: node)
    case .softmax, .logSoftmax:
        return try SoftmaxKernel(binding: node)
    case .identity, .dropout, .reshape, .flatten, .squeeze, .unsqueeze:
        return try CopyKernel(binding: node)
    case .constant:
        return try ConstantKernel(binding: node)
    case .argMax, .averagePool, .batchNormalization, .cast, .concat, .conv, .convTranspose, .fusedConv, .gather,
        .globalAveragePool, .layerNormalization, .maxPool, .negativeLogLikelihoodLoss, .reduceMax, .reduceMean,
        .reduceSum, .softmaxCrossEntropyLoss, .split, .transpose:
        throw node.error("no CPU kernel yet (the runtime issue adds it)")
    }
}
