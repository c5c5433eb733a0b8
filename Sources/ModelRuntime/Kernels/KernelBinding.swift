import ModelCompiler

/// The kernel for a bound node. The switch is exhaustive over `OpType`: a new op does not
/// compile until it has a kernel here or an explicit "not yet" with the reason.
func makeKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .abs, .elu, .exp, .gelu, .leakyRelu, .log, .neg, .relu, .selu, .sigmoid, .softplus, .sqrt, .tanh,
        .ceil, .erf, .floor, .hardSigmoid, .hardSwish, .reciprocal, .round, .sign:
        try node.requireFloatInputs()
        if let function = Pointwise(op: node.op, attributes: node.attributes),
            let kernel = try OneDNNEltwiseKernel.make(node, function: function)
        {
            return kernel
        }
        return try UnaryKernel(binding: node)
    case .clip:
        return try ClipKernel(binding: node)
    case .add, .sub, .mul, .div, .pow:
        return try BinaryKernel(binding: node)
    case .gatherElements:
        return try GatherElementsKernel(binding: node)
    case .mod:
        return try ModKernel(binding: node)
    case .and, .or, .xor:
        return try LogicalKernel(binding: node)
    case .not, .isNaN, .isInf:
        return try ElementTestKernel(binding: node)
    case .equal, .less, .greater, .lessOrEqual, .greaterOrEqual:
        return try ComparisonKernel(binding: node)
    case .shape:
        return try ShapeKernel(binding: node)
    case .constantOfShape:
        return try ConstantOfShapeKernel(binding: node)
    case .expand:
        return try ExpandKernel(binding: node)
    case .slice:
        return try SliceKernel(binding: node)
    case .range:
        return try RangeKernel(binding: node)
    case .where:
        return try WhereKernel(binding: node)
    case .max, .min, .sum, .mean:
        return try VariadicKernel(binding: node)
    case .gemm, .fusedGemm:
        if let kernel = try OneDNNMatMulKernel.make(node) { return kernel }
        return try GemmKernel(binding: node)
    case .matMul:
        if let kernel = try OneDNNMatMulKernel.make(node) { return kernel }
        return try MatMulKernel(binding: node)
    case .softmax, .logSoftmax:
        if let kernel = try OneDNNSoftmaxKernel.make(node) { return kernel }
        return try SoftmaxKernel(binding: node)
    case .identity, .dropout, .reshape, .flatten, .squeeze, .unsqueeze, .reshapeLike:
        return try CopyKernel(binding: node)
    case .constant:
        return try ConstantKernel(binding: node)
    case .conv, .convTranspose, .fusedConv:
        return try makeConvolutionKernel(node)
    case .averagePool, .globalAveragePool, .maxPool:
        return try makePoolingKernel(node)
    case .batchNormalization, .layerNormalization:
        return try makeNormalizationKernel(node)
    case .argMax, .reduceMax, .reduceMean, .reduceSum:
        return try makeReductionKernel(node)
    case .cast, .concat, .gather, .split, .transpose:
        return try makeLayoutKernel(node)
    case .negativeLogLikelihoodLoss, .softmaxCrossEntropyLoss:
        return try makeLossKernel(node)
    case .headLoss: return try HeadLossKernel(binding: node)
    case .headLossGrad: return try HeadLossGradKernel(binding: node)
    case .activationGrad: return try ActivationGradKernel(binding: node)
    case .softmaxGrad: return try SoftmaxGradKernel(binding: node)
    case .sumToShape: return try SumToShapeKernel(binding: node)
    case .broadcastLike: return try BroadcastLikeKernel(binding: node)
    case .convGrad: return try OneDNNConvGradKernel(binding: node)
    case .poolGrad: return try PoolGradKernel(binding: node)
    case .allReduce: return try AllReduceKernel(binding: node)
    case .gradientNormScale: return try GradientNormScaleKernel(binding: node)
    case .optimizerStep: return try OptimizerStepKernel(binding: node)
    case .dropoutMask: return try DropoutMaskKernel(binding: node)
    case .gatherGrad: return try GatherGradKernel(binding: node)
    case .layerNormalizationGrad: return try LayerNormalizationGradKernel(binding: node)
    case .batchNormalizationTrain: return try BatchNormalizationTrainKernel(binding: node)
    case .batchNormalizationGrad: return try BatchNormalizationGradKernel(binding: node)
    case .batchNormalizationTrainGrad: return try BatchNormalizationTrainGradKernel(binding: node)
    }
}
