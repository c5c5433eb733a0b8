/// Every op the compiler and runtime know, spelled as in ONNX (or our domain for fused ops).
///
/// Adding a case requires a schema in `OpRegistry` (a test checks every case has one), and,
/// once the runtime exists, a kernel in its exhaustive switch.
public enum OpType: String, CaseIterable, Sendable, Codable {
    case abs = "Abs"
    case activationGrad = "ActivationGrad"
    case add = "Add"
    case allReduce = "AllReduce"
    case argMax = "ArgMax"
    case averagePool = "AveragePool"
    case batchNormalization = "BatchNormalization"
    case batchNormalizationGrad = "BatchNormalizationGrad"
    case batchNormalizationTrain = "BatchNormalizationTrain"
    case batchNormalizationTrainGrad = "BatchNormalizationTrainGrad"
    case broadcastLike = "BroadcastLike"
    case cast = "Cast"
    case clip = "Clip"
    case concat = "Concat"
    case constant = "Constant"
    case conv = "Conv"
    case convGrad = "ConvGrad"
    case convTranspose = "ConvTranspose"
    case div = "Div"
    case dropout = "Dropout"
    case dropoutMask = "DropoutMask"
    case elu = "Elu"
    case exp = "Exp"
    case flatten = "Flatten"
    case fusedConv = "FusedConv"
    case fusedGemm = "FusedGemm"
    case gather = "Gather"
    case gatherGrad = "GatherGrad"
    case gelu = "Gelu"
    case gemm = "Gemm"
    case globalAveragePool = "GlobalAveragePool"
    case gradientNormScale = "GradientNormScale"
    case headLoss = "HeadLoss"
    case headLossGrad = "HeadLossGrad"
    case identity = "Identity"
    case layerNormalization = "LayerNormalization"
    case layerNormalizationGrad = "LayerNormalizationGrad"
    case leakyRelu = "LeakyRelu"
    case log = "Log"
    case logSoftmax = "LogSoftmax"
    case matMul = "MatMul"
    case maxPool = "MaxPool"
    case mul = "Mul"
    case neg = "Neg"
    case negativeLogLikelihoodLoss = "NegativeLogLikelihoodLoss"
    case optimizerStep = "OptimizerStep"
    case poolGrad = "PoolGrad"
    case pow = "Pow"
    case reduceMax = "ReduceMax"
    case reduceMean = "ReduceMean"
    case reduceSum = "ReduceSum"
    case relu = "Relu"
    case reshape = "Reshape"
    case reshapeLike = "ReshapeLike"
    case selu = "Selu"
    case sigmoid = "Sigmoid"
    case softmax = "Softmax"
    case softmaxCrossEntropyLoss = "SoftmaxCrossEntropyLoss"
    case softmaxGrad = "SoftmaxGrad"
    case softplus = "Softplus"
    case split = "Split"
    case sqrt = "Sqrt"
    case squeeze = "Squeeze"
    case sub = "Sub"
    case sumToShape = "SumToShape"
    case tanh = "Tanh"
    case transpose = "Transpose"
    case unsqueeze = "Unsqueeze"

    /// The operator domain: "" for ONNX ops, `OpDomain.ours` for our fused ops and `Gelu`
    /// (ONNX adds Gelu only in opset 20, above the opset 17 we follow).
    public var domain: String {
        switch self {
        case .fusedConv, .fusedGemm, .gelu: OpDomain.ours
        case _ where isTrainingOp: OpDomain.ours
        default: ""
        }
    }
}

extension OpType {
    /// Ops that only training graphs contain: head losses, gradients and optimiser updates
    /// (our domain; ONNX Runtime's training artifacts have counterparts in com.microsoft).
    public var isTrainingOp: Bool {
        switch self {
        case .activationGrad, .allReduce,
            .batchNormalizationGrad, .batchNormalizationTrain, .batchNormalizationTrainGrad,
            .broadcastLike, .convGrad, .dropoutMask, .gatherGrad, .gradientNormScale, .layerNormalizationGrad,
            .headLoss, .headLossGrad,
            .optimizerStep, .poolGrad, .reshapeLike, .softmaxGrad, .sumToShape:
            true
        default: false
        }
    }
}

extension OpType {
    /// The input that output `position` overwrites in place, for ops that update state rather
    /// than produce new values: an optimiser step's parameter (output 0 ← input 0) and state
    /// (k ← 3 + k), a training BatchNormalization's running mean and variance (3 ← 3, 4 ← 4).
    /// The planner puts such an output on its input's buffer.
    public func inPlaceInput(ofOutput position: Int) -> Int? {
        switch self {
        case .optimizerStep: position == 0 ? 0 : 3 + position
        case .batchNormalizationTrain: position >= 3 ? position : nil
        default: nil
        }
    }
}

/// Operator domains.
public enum OpDomain {
    /// Our domain, for ops that ONNX (opset 17) lacks.
    public static let ours = "ai.modelformat"
    /// The ONNX opset whose semantics our ONNX-domain ops follow, and which export declares.
    public static let onnxOpset: Int64 = 17
    /// ONNX opsets whose semantics for our ops equal opset 17's, accepted on import.
    public static let acceptedOnnxOpsets: ClosedRange<Int64> = 13...17

    /// Whether `domain` names the default ONNX domain.
    public static func isONNX(_ domain: String) -> Bool { domain.isEmpty || domain == "ai.onnx" }
}
