import ModelFormat

/// The settings of a `HeadLoss` / `HeadLossGrad` node: a head's `Loss` message, its encoding's
/// label smoothing and its target form, carried as node attributes so the loss graph stands
/// alone. The compiler writes them (head lowering) and the runtime's loss kernels read them.
public struct LossAttributes: Sendable, Equatable {
    /// How the loss's terms relate to the output `x` `[N, W, d1..dk]`.
    public enum Family: Sendable, Equatable {
        /// One term per element of x (MSE, MAE, Huber, BCE).
        case elementwise
        /// One term per target position `[N, d1..dk]`, a class index each (SCE, NLL and
        /// ordinal-distance CE on class indices).
        case classIndex
        /// One term per position `[N, d1..dk]`, from a whole row along axis 1 and a dense target
        /// row (SCE on distributions, categorical CE, KL divergence, cosine proximity).
        case row
    }

    public var kind: ProtoLoss.Kind
    public var reduction: ProtoLoss.Reduction
    public var fromLogits: Bool
    public var classWeight: [Float]
    public var posWeight: [Float]
    public var ignoreIndex: Int64?
    public var labelSmoothing: Float
    /// HUBER threshold (1 when unset).
    public var delta: Float
    /// Probability clip (1e-7 when unset).
    public var epsilon: Float
    public var form: TargetForm
    /// Whether a per-sample weight array is the node's third input.
    public var hasSampleWeight: Bool

    /// The settings of `head`.
    public init(head: ProtoHead) {
        let loss = head.loss
        kind = loss.kind
        reduction = loss.reduction
        fromLogits = loss.fromLogits
        classWeight = loss.classWeight
        posWeight = loss.posWeight
        if case .ignoreIndex(let index)? = loss.ignore { ignoreIndex = index }
        form = TargetForm.of(head)
        // Dense targets arrive smoothed by the label encoder; class indices are smoothed here.
        labelSmoothing = form == .classIndex ? head.encoding.labelSmoothing : 0
        delta = loss.delta == 0 ? 1 : loss.delta
        epsilon = loss.epsilon == 0 ? 1e-7 : loss.epsilon
        hasSampleWeight = !loss.sampleWeight.isEmpty
    }

    public var family: Family {
        switch kind {
        case .meanSquaredError, .meanAbsoluteError, .huber, .binaryCrossEntropy: .elementwise
        case .softmaxCrossEntropy, .negativeLogLikelihood, .ordinalDistanceCrossEntropy:
            form == .classIndex ? .classIndex : .row
        default: .row
        }
    }

    /// The node attributes holding these settings.
    public var attributes: Attributes {
        var attributes = Attributes([])
        attributes.set("kind", string: String(describing: kind))
        attributes.set("reduction", string: String(describing: reduction))
        attributes.set("from_logits", int: fromLogits ? 1 : 0)
        if !classWeight.isEmpty { attributes.set("class_weight", floats: classWeight) }
        if !posWeight.isEmpty { attributes.set("pos_weight", floats: posWeight) }
        if let ignoreIndex { attributes.set("ignore_index", int: Int(ignoreIndex)) }
        attributes.set("label_smoothing", float: labelSmoothing)
        attributes.set("delta", float: delta)
        attributes.set("epsilon", float: epsilon)
        attributes.set("target_form", string: form == .classIndex ? "class_index" : "dense")
        return attributes
    }

    /// The settings stored on a node; `hasSampleWeight` from whether input 2 is given.
    public init(_ attributes: Attributes, hasSampleWeight: Bool) throws(ShapeError) {
        let kindName = attributes.string("kind", default: "")
        guard let kind = ProtoLoss.Kind.allCases.first(where: { String(describing: $0) == kindName }),
            kind != .unspecified
        else { throw ShapeError("loss-kind", "kind '\(kindName)' is not a loss kind") }
        let reductionName = attributes.string("reduction", default: "mean")
        guard let reduction = ProtoLoss.Reduction.allCases.first(where: { String(describing: $0) == reductionName })
        else {
            throw ShapeError("loss-reduction", "reduction '\(reductionName)' is not a loss reduction")
        }
        self.kind = kind
        self.reduction = reduction
        fromLogits = attributes.int("from_logits", default: 0) != 0
        classWeight = attributes.floats("class_weight") ?? []
        posWeight = attributes.floats("pos_weight") ?? []
        ignoreIndex = attributes.has("ignore_index") ? Int64(attributes.int("ignore_index", default: 0)) : nil
        labelSmoothing = attributes.float("label_smoothing", default: 0)
        delta = attributes.float("delta", default: 1)
        epsilon = attributes.float("epsilon", default: 1e-7)
        form = attributes.string("target_form", default: "dense") == "class_index" ? .classIndex : .dense
        self.hasSampleWeight = hasSampleWeight
    }

    /// The dims of the per-term losses for an output of dims `x` (`reduction` NONE keeps them).
    public func termDims(_ x: [Dim]) -> [Dim] {
        switch family {
        case .elementwise: x
        case .classIndex, .row: x.count >= 2 ? [x[0]] + x.dropFirst(2) : Array(x.prefix(1))
        }
    }

    /// The expected target dims for an output of dims `x`.
    public func targetDims(_ x: [Dim]) -> [Dim] {
        family == .classIndex ? termDims(x) : x
    }
}
