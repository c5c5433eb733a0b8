// The one table of ONNX operator versions that import accepts.

/// An attribute or input that an op version added or removed.
public enum OpForm: Sendable, Hashable {
    case attribute(String)
    /// The input at this position (0-based), by its ONNX name.
    case input(Int, String)

    var described: String {
        switch self {
        case .attribute(let name): "attribute '\(name)'"
        case .input(let position, let name): "input \(position) ('\(name)')"
        }
    }
}

/// One version of an ONNX op: the opset that introduced it (ONNX `since_version`) and what
/// changed from the version before.
public struct OpVersion: Sendable {
    /// The ONNX `since_version`.
    public let since: Int64
    /// What changed from the previous version, for the reader of the table.
    public let change: String
    /// Forms a node may use only from this version on.
    public let added: [OpForm]
    /// Forms a node may no longer use from this version on.
    public let removed: [OpForm]
    /// Why we do not run this version; nil when we do.
    public let unsupportedReason: String?

    init(
        _ since: Int64, _ change: String, added: [OpForm] = [], removed: [OpForm] = [],
        unsupported unsupportedReason: String? = nil
    ) {
        self.since = since
        self.change = change
        self.added = added
        self.removed = removed
        self.unsupportedReason = unsupportedReason
    }
}

/// Which versions of each default-domain ONNX op the compiler and runtime implement.
///
/// Each row lists every version ONNX defines that is in effect at some opset in
/// `OpDomain.acceptedOnnxOpsets` (13...25): the version in effect at opset 13 (or the op's
/// first version) and each later one (the facts come from the onnx package,
/// `onnx.defs.get_schema(op, max_inclusive_version: v).since_version`; a test compares this
/// table with them). The version in effect at opset v is the row's newest `since` <= v. An op
/// with no version at the model's opset (Gelu before 20, LayerNormalization before 17), or
/// whose version there is unsupported, is refused with a diagnostic naming op, version and
/// opset. Most versions after 13 only widen the element types (bfloat16, float8, int4, ...);
/// the runtime refuses types it lacks at bind time, so those versions are supported.
///
/// Schemas describe the union of the versions' forms (e.g. ReduceMean takes `axes` as an
/// attribute or as input 1); `added`/`removed` say which form each version allows, and
/// `OpsetChecks` holds a node to the form of its version.
public enum OpVersions {
    private static let typesOnly = "adds element types only"

    /// Versions per op, oldest first. Ops of our domain are not versioned by the ONNX opset.
    public static let table: [OpType: [OpVersion]] = [
        .abs: [OpVersion(13, "Abs-13")],
        .add: [OpVersion(13, "Add-13"), OpVersion(14, typesOnly)],
        .and: [OpVersion(7, "And-7")],
        .argMax: [OpVersion(13, "ArgMax-13")],
        .averagePool: [
            OpVersion(11, "AveragePool-11"), OpVersion(19, "adds dilations", added: [.attribute("dilations")]),
            OpVersion(22, typesOnly),
        ],
        .batchNormalization: [
            OpVersion(9, "BatchNormalization-9"),
            OpVersion(
                14, "adds training_mode and the running_mean/running_var outputs",
                added: [.attribute("training_mode")]),
            OpVersion(15, "scale, B, mean and var may differ in type from X"),
        ],
        .cast: [
            OpVersion(13, "Cast-13"),
            OpVersion(19, "adds float8 types and saturate (float8 only)", added: [.attribute("saturate")]),
            OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, "adds float8e8m0 and round_mode (float8e8m0 only)", added: [.attribute("round_mode")]),
            OpVersion(25, typesOnly),
        ],
        .ceil: [OpVersion(13, "Ceil-13")],
        .clip: [OpVersion(13, "Clip-13: min and max are optional inputs")],
        .concat: [OpVersion(13, "Concat-13")],
        .constant: [
            OpVersion(13, "Constant-13"), OpVersion(19, typesOnly), OpVersion(21, typesOnly),
            OpVersion(23, typesOnly), OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .constantOfShape: [
            OpVersion(9, "ConstantOfShape-9"), OpVersion(20, typesOnly), OpVersion(21, typesOnly),
            OpVersion(23, typesOnly), OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .conv: [OpVersion(11, "Conv-11"), OpVersion(22, typesOnly)],
        .convTranspose: [OpVersion(11, "ConvTranspose-11"), OpVersion(22, typesOnly)],
        .div: [OpVersion(13, "Div-13"), OpVersion(14, typesOnly)],
        .dropout: [OpVersion(13, "Dropout-13"), OpVersion(22, typesOnly)],
        .elu: [OpVersion(6, "Elu-6"), OpVersion(22, typesOnly)],
        .equal: [OpVersion(13, "Equal-13"), OpVersion(19, "adds string")],
        .erf: [OpVersion(13, "Erf-13")],
        .exp: [OpVersion(13, "Exp-13")],
        .expand: [OpVersion(13, "Expand-13")],
        .flatten: [
            OpVersion(13, "Flatten-13"), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .floor: [OpVersion(13, "Floor-13")],
        .gather: [OpVersion(13, "Gather-13")],
        .gatherElements: [OpVersion(13, "GatherElements-13")],
        .gelu: [OpVersion(20, "Gelu-20, new in the default domain (our domain has it at every opset)")],
        .gemm: [OpVersion(13, "Gemm-13")],
        .globalAveragePool: [OpVersion(1, "GlobalAveragePool-1"), OpVersion(22, typesOnly)],
        .greater: [OpVersion(13, "Greater-13")],
        .greaterOrEqual: [OpVersion(12, "GreaterOrEqual-12"), OpVersion(16, typesOnly)],
        .hardSigmoid: [OpVersion(6, "HardSigmoid-6"), OpVersion(22, typesOnly)],
        .hardSwish: [OpVersion(14, "HardSwish-14, new"), OpVersion(22, typesOnly)],
        .identity: [
            OpVersion(13, "Identity-13"), OpVersion(14, "adds sequence types"), OpVersion(16, "adds optional types"),
            OpVersion(19, typesOnly), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .isInf: [OpVersion(10, "IsInf-10"), OpVersion(20, typesOnly)],
        .isNaN: [OpVersion(13, "IsNaN-13"), OpVersion(20, typesOnly)],
        .layerNormalization: [OpVersion(17, "LayerNormalization-17, new (with stash_type)")],
        .leakyRelu: [OpVersion(6, "LeakyRelu-6"), OpVersion(16, typesOnly)],
        .less: [OpVersion(13, "Less-13")],
        .lessOrEqual: [OpVersion(12, "LessOrEqual-12"), OpVersion(16, typesOnly)],
        .log: [OpVersion(13, "Log-13")],
        .logSoftmax: [OpVersion(13, "LogSoftmax-13")],
        .matMul: [OpVersion(13, "MatMul-13")],
        .max: [OpVersion(13, "Max-13")],
        .maxPool: [OpVersion(12, "MaxPool-12"), OpVersion(22, typesOnly)],
        .mean: [OpVersion(13, "Mean-13")],
        .min: [OpVersion(13, "Min-13")],
        .mod: [OpVersion(13, "Mod-13")],
        .mul: [OpVersion(13, "Mul-13"), OpVersion(14, typesOnly)],
        .neg: [OpVersion(13, "Neg-13")],
        .not: [OpVersion(1, "Not-1")],
        .negativeLogLikelihoodLoss: [OpVersion(13, "NegativeLogLikelihoodLoss-13"), OpVersion(22, typesOnly)],
        .or: [OpVersion(7, "Or-7")],
        .pow: [OpVersion(13, "Pow-13"), OpVersion(15, typesOnly)],
        .range: [OpVersion(11, "Range-11")],
        .reciprocal: [OpVersion(13, "Reciprocal-13")],
        .reduceMax: [
            OpVersion(13, "ReduceMax-13: axes attribute"),
            OpVersion(
                18, "axes becomes optional input 1; adds noop_with_empty_axes",
                added: [.input(1, "axes"), .attribute("noop_with_empty_axes")], removed: [.attribute("axes")]),
            OpVersion(20, "adds bool"),
        ],
        .reduceMean: [
            OpVersion(13, "ReduceMean-13: axes attribute"),
            OpVersion(
                18, "axes becomes optional input 1; adds noop_with_empty_axes",
                added: [.input(1, "axes"), .attribute("noop_with_empty_axes")], removed: [.attribute("axes")]),
        ],
        .reduceSum: [OpVersion(13, "ReduceSum-13: axes input, noop_with_empty_axes")],
        .relu: [OpVersion(13, "Relu-13"), OpVersion(14, typesOnly)],
        .reshape: [
            OpVersion(13, "Reshape-13"), OpVersion(14, "adds allowzero", added: [.attribute("allowzero")]),
            OpVersion(19, typesOnly), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .round: [OpVersion(11, "Round-11"), OpVersion(22, typesOnly)],
        .selu: [OpVersion(6, "Selu-6"), OpVersion(22, typesOnly)],
        .shape: [
            OpVersion(13, "Shape-13"), OpVersion(15, "adds start and end", added: [.attribute("start"), .attribute("end")]),
            OpVersion(19, typesOnly), OpVersion(21, typesOnly), OpVersion(23, typesOnly), OpVersion(24, typesOnly),
            OpVersion(25, typesOnly),
        ],
        .sigmoid: [OpVersion(13, "Sigmoid-13")],
        .sign: [OpVersion(13, "Sign-13")],
        .slice: [OpVersion(13, "Slice-13")],
        .softmax: [OpVersion(13, "Softmax-13")],
        .softmaxCrossEntropyLoss: [OpVersion(13, "SoftmaxCrossEntropyLoss-13")],
        .softplus: [OpVersion(1, "Softplus-1"), OpVersion(22, typesOnly)],
        .split: [
            OpVersion(13, "Split-13: sizes as optional input 1"),
            OpVersion(
                18, "adds num_outputs (the last part may be smaller)", added: [.attribute("num_outputs")]),
        ],
        .sqrt: [OpVersion(13, "Sqrt-13")],
        .squeeze: [
            OpVersion(13, "Squeeze-13"), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .sub: [OpVersion(13, "Sub-13"), OpVersion(14, typesOnly)],
        .sum: [OpVersion(13, "Sum-13")],
        .tanh: [OpVersion(13, "Tanh-13")],
        .transpose: [
            OpVersion(13, "Transpose-13"), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .unsqueeze: [
            OpVersion(13, "Unsqueeze-13"), OpVersion(21, typesOnly), OpVersion(23, typesOnly),
            OpVersion(24, typesOnly), OpVersion(25, typesOnly),
        ],
        .where: [OpVersion(9, "Where-9"), OpVersion(16, "adds bfloat16")],
        .xor: [OpVersion(7, "Xor-7")],
    ]

    /// The version of `op` in effect at ONNX opset `opset`, or nil when the op has none there
    /// (added later) or is not versioned by the ONNX opset (our domain).
    public static func version(of op: OpType, atOpset opset: Int64) -> OpVersion? {
        table[op]?.last { $0.since <= opset }
    }

    /// The forms of `op` that its version at `opset` does not allow, each with the version
    /// that adds it (a later one) or removed it (this one or an earlier one).
    static func forbiddenForms(of op: OpType, atOpset opset: Int64) -> [OpForm: OpVersion] {
        guard let versions = table[op] else { return [:] }
        var forbidden: [OpForm: OpVersion] = [:]
        // A form some version adds is forbidden before that version.
        for version in versions.reversed() {
            for form in version.added { forbidden[form] = version }
        }
        for version in versions where version.since <= opset {
            for form in version.added { forbidden[form] = nil }
            for form in version.removed { forbidden[form] = version }
        }
        return forbidden
    }

    /// The lowest opset at which `op` exists in the default domain, if it is an ONNX op.
    public static func firstOpset(of op: OpType) -> Int64? {
        table[op]?.first?.since
    }
}
