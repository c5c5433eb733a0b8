/// Every op the compiler and runtime know, spelled as in ONNX (or our domain for fused ops).
///
/// Adding a case requires a schema in `OpRegistry` (a test checks every case has one), and,
/// once the runtime exists, a kernel in its exhaustive switch.
public enum OpType: String, CaseIterable, Sendable, Codable {
    case abs = "Abs"
    case activationGrad = "ActivationGrad"
    case add = "Add"
    case allReduce = "AllReduce"
    case and = "And"
    case argMax = "ArgMax"
    case averagePool = "AveragePool"
    case batchNormalization = "BatchNormalization"
    case batchNormalizationGrad = "BatchNormalizationGrad"
    case batchNormalizationTrain = "BatchNormalizationTrain"
    case batchNormalizationTrainGrad = "BatchNormalizationTrainGrad"
    case broadcastLike = "BroadcastLike"
    case cast = "Cast"
    case ceil = "Ceil"
    case clip = "Clip"
    case concat = "Concat"
    case constant = "Constant"
    case constantOfShape = "ConstantOfShape"
    case conv = "Conv"
    case convGrad = "ConvGrad"
    case convTranspose = "ConvTranspose"
    case div = "Div"
    case dropout = "Dropout"
    case dropoutMask = "DropoutMask"
    case elu = "Elu"
    case equal = "Equal"
    case erf = "Erf"
    case exp = "Exp"
    case expand = "Expand"
    case flatten = "Flatten"
    case floor = "Floor"
    case fusedConv = "FusedConv"
    case fusedGemm = "FusedGemm"
    case gather = "Gather"
    case gatherElements = "GatherElements"
    case gatherGrad = "GatherGrad"
    case gelu = "Gelu"
    case gemm = "Gemm"
    case globalAveragePool = "GlobalAveragePool"
    case gradientNormScale = "GradientNormScale"
    case greater = "Greater"
    case greaterOrEqual = "GreaterOrEqual"
    case hardSigmoid = "HardSigmoid"
    case hardSwish = "HardSwish"
    case headLoss = "HeadLoss"
    case headLossGrad = "HeadLossGrad"
    case identity = "Identity"
    case isInf = "IsInf"
    case isNaN = "IsNaN"
    case layerNormalization = "LayerNormalization"
    case layerNormalizationGrad = "LayerNormalizationGrad"
    case leakyRelu = "LeakyRelu"
    case less = "Less"
    case lessOrEqual = "LessOrEqual"
    case log = "Log"
    case logSoftmax = "LogSoftmax"
    case matMul = "MatMul"
    case max = "Max"
    case maxPool = "MaxPool"
    case mean = "Mean"
    case min = "Min"
    case mod = "Mod"
    case mul = "Mul"
    case neg = "Neg"
    case negativeLogLikelihoodLoss = "NegativeLogLikelihoodLoss"
    case not = "Not"
    case optimizerStep = "OptimizerStep"
    case or = "Or"
    case poolGrad = "PoolGrad"
    case pow = "Pow"
    case range = "Range"
    case reciprocal = "Reciprocal"
    case reduceMax = "ReduceMax"
    case reduceMean = "ReduceMean"
    case reduceSum = "ReduceSum"
    case relu = "Relu"
    case reshape = "Reshape"
    case reshapeLike = "ReshapeLike"
    case round = "Round"
    case selu = "Selu"
    case shape = "Shape"
    case sigmoid = "Sigmoid"
    case sign = "Sign"
    case slice = "Slice"
    case softmax = "Softmax"
    case softmaxCrossEntropyLoss = "SoftmaxCrossEntropyLoss"
    case softmaxGrad = "SoftmaxGrad"
    case softplus = "Softplus"
    case split = "Split"
    case sqrt = "Sqrt"
    case squeeze = "Squeeze"
    case sub = "Sub"
    case sum = "Sum"
    case sumToShape = "SumToShape"
    case tanh = "Tanh"
    case transpose = "Transpose"
    case unsqueeze = "Unsqueeze"
    case `where` = "Where"
    case xor = "Xor"

    /// The operator domain: "" for ONNX ops, `OpDomain.ours` for our fused ops and `Gelu`
    /// (ONNX adds Gelu only in opset 20, above the opset 17 that export writes by default;
    /// import takes Gelu in either domain, see `OpVersions`).
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
    /// The opset a model without one is taken to declare, and the lowest that export writes
    /// (it writes a higher one only when a node's form needs it, see `ONNXExportOpset`).
    public static let onnxOpset: Int64 = 17
    /// ONNX opsets of the default domain accepted on import; `OpVersions` lists, per op, the
    /// versions in effect at these opsets and what each changed.
    public static let acceptedOnnxOpsets: ClosedRange<Int64> = 13...25

    /// Whether `domain` names the default ONNX domain.
    public static func isONNX(_ domain: String) -> Bool { domain.isEmpty || domain == "ai.onnx" }
}
