/// The one table of op schemas, keyed by `OpType`, in alphabetical order.
public enum OpRegistry {
    /// Every schema; `OpRegistryTests` checks each `OpType` appears exactly once.
    public static let all: [OpSchema] = [
        .abs, .activationGrad, .add, .allReduce, .argMax, .averagePool, .batchNormalization, .batchNormalizationGrad,
        .batchNormalizationTrain, .batchNormalizationTrainGrad, .broadcastLike, .cast, .clip,
        .concat, .constant, .conv, .convGrad, .convTranspose, .div, .dropout, .dropoutMask, .elu, .exp, .flatten,
        .fusedConv,
        .fusedGemm, .gather, .gatherGrad, .gelu, .gemm, .globalAveragePool, .gradientNormScale, .headLoss,
        .headLossGrad,
        .identity, .layerNormalization, .layerNormalizationGrad, .leakyRelu, .log, .logSoftmax, .matMul, .maxPool, .mul,
        .neg,
        .negativeLogLikelihoodLoss, .optimizerStep, .poolGrad, .pow, .reduceMax, .reduceMean, .reduceSum, .relu,
        .reshape, .reshapeLike, .selu, .sigmoid, .softmax, .softmaxCrossEntropyLoss, .softmaxGrad, .softplus, .split,
        .sqrt, .squeeze, .sub, .sumToShape, .tanh, .transpose, .unsqueeze,
    ]

    private static let byType: [OpType: OpSchema] = Dictionary(
        all.map { ($0.type, $0) }, uniquingKeysWith: { a, _ in a })

    /// The schema of `type`.
    public static func schema(_ type: OpType) -> OpSchema? { byType[type] }

    /// The schema for a node's `op_type` and `domain`, or nil when the pair is unknown.
    public static func schema(opType: String, domain: String) -> OpSchema? {
        guard let type = OpType(rawValue: opType) else { return nil }
        let domainMatches =
            type.domain == OpDomain.ours
            ? (domain == OpDomain.ours || (type == .gelu && OpDomain.isONNX(domain)))
            : OpDomain.isONNX(domain)
        return domainMatches ? byType[type] : nil
    }
}
