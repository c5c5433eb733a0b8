import ModelFormat

/// The gradient rule of each differentiable op, in one table. Ops without an entry stop
/// training with `train.no-gradient` when a parameter's gradient would flow through them.
///
/// Notation: Y = op(inputs), dY = dL/dY; every rule returns dL/d(input) per input position.
public enum GradientRules {
    /// The gradients of the builder's node's inputs, or nil when its op has no rule.
    static func apply(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?]? {
        switch b.node.op {
        case .abs, .elu, .erf, .exp, .gelu, .hardSigmoid, .hardSwish, .leakyRelu, .log, .reciprocal, .relu, .selu,
            .sigmoid, .softplus, .sqrt, .tanh:
            return pointwise(&b)
        case .neg: return [b.emit(.neg, [b.outputGradients[0]])]
        // Training lowers random Dropouts to a mask product (DropoutLowering); the ones left
        // here are identities (training_mode false), so their gradient is too.
        case .identity, .dropout: return [b.outputGradients[0]]
        case .reshape, .flatten, .squeeze, .unsqueeze:
            return [b.emit(.reshapeLike, [b.outputGradients[0], b.input(0)])]
        case .add: return broadcastGradients(&b, scaleA: 1, scaleB: 1)
        case .sub: return broadcastGradients(&b, scaleA: 1, scaleB: -1)
        case .sum, .mean: return sumOrMean(&b)
        case .where: return whereGradients(&b)
        // Expand broadcasts: the gradient sums dY back over the broadcast axes.
        case .expand: return [b.emit(.sumToShape, [b.outputGradients[0], b.input(0)]), nil]
        case .mul: return mul(&b)
        case .div: return div(&b)
        case .softmax, .logSoftmax: return softmax(&b)
        case .gemm: return gemm(&b)
        case .matMul: return try matMul(&b)
        case .transpose: return try transpose(&b)
        case .conv: return conv(&b)
        case .maxPool, .averagePool, .globalAveragePool: return try pool(&b)
        case .reduceSum, .reduceMean: return try reduce(&b)
        case .concat: return try concat(&b)
        case .headLoss: return headLoss(&b)
        // A dropout mask depends on its input's shape only: no gradient flows through it.
        case .dropoutMask: return [nil, nil]
        case .gather:
            var attributes = Attributes([])
            attributes.set("axis", int: b.attributes.int("axis", default: 0))
            return [b.emit(.gatherGrad, [b.outputGradients[0], b.input(1), b.input(0)], attributes: attributes), nil]
        case .clip: return try clip(&b)
        case .layerNormalization: return try layerNormalization(&b)
        case .batchNormalization:
            // Inference form (frozen statistics): the statistics are constants.
            if b.node.outputs.dropFirst().contains(where: { $0 != nil }) {
                throw b.unsupported("running_mean and running_var outputs exist only in training mode")
            }
            var attributes = Attributes([])
            attributes.set("epsilon", float: b.attributes.float("epsilon", default: 1e-5))
            let skip = b.unneeded(3)
            let outputs = b.emitNode(
                .batchNormalizationGrad, [b.outputGradients[0], b.input(0), b.input(1), b.input(3), b.input(4)],
                attributes: attributes, outputCount: 3, skip: skip)
            return outputs + [nil, nil]
        case .batchNormalizationTrain:
            let skip = b.unneeded(3)
            let outputs = b.emitNode(
                .batchNormalizationTrainGrad, [b.outputGradients[0], b.input(0), b.input(1), b.output(1), b.output(2)],
                outputCount: 3, skip: skip)
            return outputs + [nil, nil]
        default: return nil
        }
    }

    /// Unary activations: ActivationGrad(dY, X, Y) with the forward op's attributes.
    private static func pointwise(_ b: inout GradientBuilder) -> [ValueID?] {
        var attributes = b.attributes
        attributes.set("activation", string: b.node.op.rawValue)
        return [b.emit(.activationGrad, [b.outputGradients[0], b.input(0), b.output(0)], attributes: attributes)]
    }

    /// Clip(X, min, max): dY where min ≤ X ≤ max (PyTorch's clamp), 0 elsewhere; the bounds
    /// must be constants.
    private static func clip(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        var attributes = Attributes([])
        attributes.set("activation", string: "Clip")
        for (position, name) in [(1, "min"), (2, "max")] {
            guard let bound = b.input(position) else { continue }
            guard let value = b.constantFloat(bound) else {
                throw b.unsupported("Clip's \(name) must be a constant to train")
            }
            attributes.set(name, float: value)
        }
        return [
            b.emit(.activationGrad, [b.outputGradients[0], b.input(0), b.output(0)], attributes: attributes), nil, nil,
        ]
    }

    /// LayerNormalization: one LayerNormalizationGrad node gives dX, dScale and dB (Scale and B
    /// shaped as the normalised axes).
    private static func layerNormalization(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        if b.outputGradients.dropFirst().contains(where: { $0 != nil }) {
            throw b.unsupported("the Mean and InvStdDev outputs carry no gradient")
        }
        var attributes = Attributes([])
        attributes.set("axis", int: b.attributes.int("axis", default: -1))
        attributes.set("epsilon", float: b.attributes.float("epsilon", default: 1e-5))
        let skip = b.unneeded(3)
        let outputs = b.emitNode(
            .layerNormalizationGrad, [b.outputGradients[0], b.input(0), b.input(1)], attributes: attributes,
            outputCount: 3,
            skip: skip)
        return outputs
    }

    /// A + B, A − B: dY summed back to each operand's shape.
    private static func broadcastGradients(_ b: inout GradientBuilder, scaleA: Float, scaleB: Float) -> [ValueID?] {
        let dY = b.outputGradients[0]
        var result: [ValueID?] = [nil, nil]
        for (position, scale) in [(0, scaleA), (1, scaleB)] where b.needs(position) {
            var attributes = Attributes([])
            attributes.set("scale", float: scale)
            result[position] = b.emit(.sumToShape, [dY, b.input(position)], attributes: attributes)
        }
        return result
    }

    /// Sum(X1..Xn), Mean(X1..Xn): dXi = dY (times 1/n for the mean) summed back to Xi's shape.
    private static func sumOrMean(_ b: inout GradientBuilder) -> [ValueID?] {
        let count = b.node.inputs.count
        let scale: Float = b.node.op == .mean ? 1 / Float(count) : 1
        return (0..<count).map { position in
            guard b.needs(position) else { return nil }
            var attributes = Attributes([])
            attributes.set("scale", float: scale)
            return b.emit(.sumToShape, [b.outputGradients[0], b.input(position)], attributes: attributes)
        }
    }

    /// Where(C, X, Y): dX = Σ Where(C, dY, 0), dY = Σ Where(C, 0, dY), each summed to its
    /// operand's shape; the condition has no gradient.
    private static func whereGradients(_ b: inout GradientBuilder) -> [ValueID?] {
        var result: [ValueID?] = [nil, nil, nil]
        let dY = b.outputGradients[0]
        for position in [1, 2] where b.needs(position) {
            let zero = b.constant(float: 0)
            let selected = b.emit(.where, [b.input(0), position == 1 ? dY : zero, position == 1 ? zero : dY])
            result[position] = b.emit(.sumToShape, [selected, b.input(position)])
        }
        return result
    }

    /// A·B: dA = Σ(dY·B), dB = Σ(dY·A), each summed to its operand's shape.
    private static func mul(_ b: inout GradientBuilder) -> [ValueID?] {
        let dY = b.outputGradients[0]
        var result: [ValueID?] = [nil, nil]
        for position in 0..<2 where b.needs(position) {
            let product = b.emit(.mul, [dY, b.input(1 - position)])
            result[position] = b.emit(.sumToShape, [product, b.input(position)])
        }
        return result
    }

    /// A/B: dA = Σ(dY/B), dB = −Σ(dY·Y/B).
    private static func div(_ b: inout GradientBuilder) -> [ValueID?] {
        let dY = b.outputGradients[0]
        var result: [ValueID?] = [nil, nil]
        if b.needs(0) {
            result[0] = b.emit(.sumToShape, [b.emit(.div, [dY, b.input(1)]), b.input(0)])
        }
        if b.needs(1) {
            let ratio = b.emit(.div, [b.output(0), b.input(1)])
            var attributes = Attributes([])
            attributes.set("scale", float: -1)
            result[1] = b.emit(.sumToShape, [b.emit(.mul, [dY, ratio]), b.input(1)], attributes: attributes)
        }
        return result
    }

    /// Softmax / LogSoftmax: SoftmaxGrad(dY, Y) along the same axis.
    private static func softmax(_ b: inout GradientBuilder) -> [ValueID?] {
        var attributes = Attributes([])
        attributes.set("axis", int: b.attributes.int("axis", default: -1))
        attributes.set("log", int: b.node.op == .logSoftmax ? 1 : 0)
        return [b.emit(.softmaxGrad, [b.outputGradients[0], b.output(0)], attributes: attributes)]
    }

    /// Gemm: Y = α·op(A)·op(B) + β·C, op = optional transpose. Each gradient is one Gemm with
    /// the transposes that put its operands in place (see the derivation per case below).
    private static func gemm(_ b: inout GradientBuilder) -> [ValueID?] {
        let dY = b.outputGradients[0]
        let transA = b.attributes.int("transA", default: 0) != 0
        let transB = b.attributes.int("transB", default: 0) != 0
        let alpha = b.attributes.float("alpha", default: 1)
        let beta = b.attributes.float("beta", default: 1)
        func gemm(_ x: ValueID?, _ y: ValueID?, _ tx: Bool, _ ty: Bool, _ b: inout GradientBuilder) -> ValueID {
            var attributes = Attributes([])
            attributes.set("transA", int: tx ? 1 : 0)
            attributes.set("transB", int: ty ? 1 : 0)
            if alpha != 1 { attributes.set("alpha", float: alpha) }
            return b.emit(.gemm, [x, y], attributes: attributes)
        }
        var result: [ValueID?] = [nil, nil, nil]
        if b.needs(0) {
            // op(A) = A: dA = α·dY·op(B)ᵀ; op(A) = Aᵀ: dA = α·op(B)·dYᵀ.
            result[0] = transA ? gemm(b.input(1), dY, transB, true, &b) : gemm(dY, b.input(1), false, !transB, &b)
        }
        if b.needs(1) {
            // op(B) = B: dB = α·op(A)ᵀ·dY; op(B) = Bᵀ: dB = α·dYᵀ·op(A).
            result[1] = transB ? gemm(dY, b.input(0), true, transA, &b) : gemm(b.input(0), dY, !transA, false, &b)
        }
        if b.input(2) != nil && b.needs(2) {
            var attributes = Attributes([])
            attributes.set("scale", float: beta)
            result[2] = b.emit(.sumToShape, [dY, b.input(2)], attributes: attributes)
        }
        return result
    }

    /// MatMul of two matrices, as Gemm without transposes: dA = dY·Bᵀ, dB = Aᵀ·dY.
    private static func matMul(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        guard let a = b.input(0), let bb = b.input(1), b.type(of: a).rank == 2, b.type(of: bb).rank == 2 else {
            throw b.unsupported("MatMul gradients are implemented for 2-D operands only")
        }
        let dY = b.outputGradients[0]
        var result: [ValueID?] = [nil, nil]
        if b.needs(0) {
            var attributes = Attributes([])
            attributes.set("transB", int: 1)
            result[0] = b.emit(.gemm, [dY, bb], attributes: attributes)
        }
        if b.needs(1) {
            var attributes = Attributes([])
            attributes.set("transA", int: 1)
            result[1] = b.emit(.gemm, [a, dY], attributes: attributes)
        }
        return result
    }

    /// Transpose: the inverse permutation.
    private static func transpose(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        guard let rank = b.input(0).flatMap({ b.type(of: $0).rank }) else {
            throw b.unsupported("the input's rank is unknown")
        }
        let permutation = b.attributes.ints("perm") ?? Array((0..<rank).reversed())
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in permutation.enumerated() where axis >= 0 && axis < rank { inverse[axis] = position }
        var attributes = Attributes([])
        attributes.set("perm", ints: inverse)
        return [b.emit(.transpose, [b.outputGradients[0]], attributes: attributes)]
    }

    /// Conv: one ConvGrad node with the Conv's attributes gives dX, dW and dB.
    private static func conv(_ b: inout GradientBuilder) -> [ValueID?] {
        let hasBias = b.input(2) != nil
        var skip = b.unneeded(3)
        if !hasBias { skip.insert(2) }
        let outputs = b.emitNode(
            .convGrad, [b.outputGradients[0], b.input(0), b.input(1)], attributes: b.attributes, outputCount: 3,
            skip: skip)
        return Array(outputs.prefix(hasBias ? 3 : 2))
    }

    /// MaxPool / AveragePool / GlobalAveragePool: PoolGrad with the pool's attributes.
    private static func pool(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        // MaxPool's Indices output is int64: autodiff never gives it a gradient.
        var attributes = b.attributes
        attributes.set("pool", string: b.node.op.rawValue)
        return [b.emit(.poolGrad, [b.outputGradients[0], b.input(0)], attributes: attributes)]
    }

    /// ReduceSum / ReduceMean over constant axes: dY broadcast back (divided by the count for
    /// the mean).
    private static func reduce(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        guard let x = b.input(0), let rank = b.type(of: x).rank else {
            throw b.unsupported("the input's rank is unknown")
        }
        var axes: [Int]
        if let axesInput = b.input(1) {
            guard let values = b.constantInts(axesInput) else { throw b.unsupported("axes must be a constant") }
            axes = values
        } else {
            axes = b.attributes.ints("axes") ?? []
        }
        // Empty axes reduce everything unless noop_with_empty_axes (ReduceSum-13, ReduceMean-18).
        if axes.isEmpty {
            guard b.attributes.int("noop_with_empty_axes", default: 0) == 0 else { return [b.outputGradients[0]] }
            axes = Array(0..<rank)
        }
        axes = axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        var attributes = Attributes([])
        if b.attributes.int("keepdims", default: 1) == 0 { attributes.set("axes", ints: axes) }
        attributes.set("mean", int: b.node.op == .reduceMean ? 1 : 0)
        return [b.emit(.broadcastLike, [b.outputGradients[0], x], attributes: attributes)]
    }

    /// Concat: Split of dY into the inputs' sizes along the axis (sizes must be known).
    private static func concat(_ b: inout GradientBuilder) throws(CompileError) -> [ValueID?] {
        var sizes: [Int] = []
        var axis = b.attributes.int("axis", default: 0)
        for input in b.node.inputs {
            guard let input, let dims = b.type(of: input).dims else { throw b.unsupported("input ranks are unknown") }
            if axis < 0 { axis += dims.count }
            guard axis >= 0 && axis < dims.count, let size = dims[axis].fixedValue else {
                throw b.unsupported("the inputs' sizes along the axis must be known to split the gradient")
            }
            sizes.append(size)
        }
        var attributes = Attributes([])
        attributes.set("axis", int: axis)
        let split = b.constant(ints: sizes)
        return b.emitNode(.split, [b.outputGradients[0], split], attributes: attributes, outputCount: sizes.count)
    }

    /// HeadLoss: HeadLossGrad(dL, X, T, sample_weight) with the same settings; targets and
    /// weights are data, with no gradient.
    private static func headLoss(_ b: inout GradientBuilder) -> [ValueID?] {
        [
            b.emit(
                .headLossGrad, [b.outputGradients[0], b.input(0), b.input(1), b.input(2)], attributes: b.attributes),
            nil, nil,
        ]
    }
}
