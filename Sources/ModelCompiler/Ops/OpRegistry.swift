/// The one table of op schemas, keyed by `OpType`, in alphabetical order.
public enum OpRegistry {
    /// Every schema; `OpRegistryTests` checks each `OpType` appears exactly once.
    public static let all: [OpSchema] = [
        .abs, .activationGrad, .add, .allReduce, .and, .argMax, .averagePool, .batchNormalization, .batchNormalizationGrad,
        .batchNormalizationTrain, .batchNormalizationTrainGrad, .broadcastLike, .cast, .ceil, .clip,
        .concat, .constant, .constantOfShape, .conv, .convGrad, .convTranspose, .div, .dropout, .dropoutMask, .elu, .equal, .erf, .exp, .expand, .flatten, .floor,
        .fusedConv,
        .fusedGemm, .gather, .gatherElements, .gatherGrad, .gelu, .gemm, .globalAveragePool, .gradientNormScale, .greater, .greaterOrEqual, .hardSigmoid, .hardSwish, .headLoss,
        .headLossGrad,
        .identity, .isInf, .isNaN, .layerNormalization, .layerNormalizationGrad, .leakyRelu, .less, .lessOrEqual, .log, .logSoftmax, .matMul, .max, .maxPool, .mean, .min, .mod, .mul,
        .neg,
        .negativeLogLikelihoodLoss, .not, .optimizerStep, .or, .poolGrad, .pow, .range, .reciprocal, .reduceMax, .reduceMean, .reduceSum, .relu,
        .reshape, .reshapeLike, .round, .selu, .shape, .sigmoid, .sign, .slice, .softmax, .softmaxCrossEntropyLoss, .softmaxGrad, .softplus, .split,
        .sqrt, .squeeze, .sub, .sum, .sumToShape, .tanh, .transpose, .unsqueeze, .where, .xor,
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
