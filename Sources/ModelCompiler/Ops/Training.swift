// Ops of training graphs (our domain): the lowered head loss, gradient ops that the primitive
// ops' gradient rules emit, and optimiser updates. Autodiff and head lowering create them; a
// hand-written model has no reason to.

import ModelFormat

extension OpSchema {
    private static let lossAttributes: [AttributeSpec] = [
        .required("kind", .string), .string("reduction", "mean"), .int("from_logits", 0),
        .optional("class_weight", .floats), .optional("pos_weight", .floats), .optional("ignore_index", .int),
        .float("label_smoothing", 0), .float("delta", 1), .float("epsilon", 1e-7), .string("target_form", "dense"),
    ]

    static let headLoss = OpSchema(
        type: .headLoss,
        summary: "L = a head's loss of X against the encoded target T, reduced (DESIGN §3 loss table)",
        inputs: [Port("X"), Port("T"), Port("sample_weight", optional: true)], outputs: [Port("L")],
        attributes: lossAttributes, inferTypes: inferHeadLoss)
    static let headLossGrad = OpSchema(
        type: .headLossGrad, summary: "dX = dL/dX of HeadLoss, scaled by the incoming gradient dL",
        inputs: [Port("dL"), Port("X"), Port("T"), Port("sample_weight", optional: true)], outputs: [Port("dX")],
        attributes: lossAttributes, inferTypes: likeSecondInputExactly)
    static let activationGrad = OpSchema(
        type: .activationGrad,
        summary: "dX = dY * f'(X) for the pointwise op named by `activation`, from X and Y = f(X)",
        inputs: [Port("dY"), Port("X"), Port("Y")], outputs: [Port("dX")],
        attributes: [
            .required("activation", .string), .optional("alpha", .float), .optional("beta", .float), .optional("gamma", .float),
            .optional("approximate", .string), .optional("min", .float), .optional("max", .float),
        ],
        inferTypes: likeSecondInputExactly)
    static let softmaxGrad = OpSchema(
        type: .softmaxGrad,
        summary: "dX of Softmax (dY*Y - Y*sum(dY*Y)) or LogSoftmax (dY - e^Y*sum(dY)) along axis, from Y",
        inputs: [Port("dY"), Port("Y")], outputs: [Port("dX")], attributes: [.int("axis", -1), .int("log", 0)],
        inferTypes: likeSecondInputExactly)
    static let sumToShape = OpSchema(
        type: .sumToShape,
        summary: "Y = scale * dY summed over the axes along which `like` was broadcast (gradient of broadcasting)",
        inputs: [Port("dY"), Port("like")], outputs: [Port("Y")], attributes: [.float("scale", 1)],
        inferTypes: likeSecondInput)
    static let reshapeLike = OpSchema(
        type: .reshapeLike, summary: "Y = dY with the shape of `like` (gradient of shape-only ops)",
        inputs: [Port("dY"), Port("like")], outputs: [Port("Y")], attributes: [], inferTypes: likeSecondInput)
    static let broadcastLike = OpSchema(
        type: .broadcastLike,
        summary:
            "Y = dY broadcast to the shape of `like`, size-1 axes inserted at `axes` first, divided by the size ratio when `mean` (gradient of ReduceSum/ReduceMean)",
        inputs: [Port("dY"), Port("like")], outputs: [Port("Y")],
        attributes: [.optional("axes", .ints), .int("mean", 0)], inferTypes: likeSecondInput)
    static let convGrad = OpSchema(
        type: .convGrad, summary: "dX, dW, dB of Conv from dY, X and W (same attributes as the Conv)",
        inputs: [Port("dY"), Port("X"), Port("W")],
        outputs: [Port("dX", optional: true), Port("dW", optional: true), Port("dB", optional: true)],
        attributes: conv.attributes, inferTypes: inferConvGrad)
    static let poolGrad = OpSchema(
        type: .poolGrad,
        summary: "dX of the pooling op named by `pool` (MaxPool: to the first maximum of each window)",
        inputs: [Port("dY"), Port("X")], outputs: [Port("dX")],
        attributes: [.required("pool", .string)] + maxPool.attributes.filter { $0.name != "storage_order" }
            + [.int("count_include_pad", 0)],
        inferTypes: likeSecondInputExactly)
    static let gatherGrad = OpSchema(
        type: .gatherGrad,
        summary:
            "dData of Gather: zeros shaped like `like`, each dY slice added at its index along `axis` (repeated indices add up)",
        inputs: [Port("dY"), Port("indices"), Port("like")], outputs: [Port("dData")], attributes: [.int("axis", 0)],
        inferTypes: { context throws(ShapeError) in
            [TensorType(try context.input(0).dataType, try context.input(2).dims)]
        })
    static let layerNormalizationGrad = OpSchema(
        type: .layerNormalizationGrad,
        summary: "dX, dScale, dB of LayerNormalization from dY, X and Scale (same axis and epsilon)",
        inputs: [Port("dY"), Port("X"), Port("Scale")],
        outputs: [Port("dX", optional: true), Port("dScale", optional: true), Port("dB", optional: true)],
        attributes: [.int("axis", -1), .float("epsilon", 1e-5)],
        inferTypes: normalizationGradients)
    static let batchNormalizationGrad = OpSchema(
        type: .batchNormalizationGrad,
        summary:
            "dX, dScale, dB of inference-form BatchNormalization (fixed mean and variance) from dY, X, scale, mean and var",
        inputs: [Port("dY"), Port("X"), Port("scale"), Port("mean"), Port("var")],
        outputs: [Port("dX", optional: true), Port("dScale", optional: true), Port("dB", optional: true)],
        attributes: [.float("epsilon", 1e-5)],
        inferTypes: normalizationGradients)
    static let batchNormalizationTrain = OpSchema(
        type: .batchNormalizationTrain,
        summary:
            "training-mode BatchNormalization (ONNX-15 semantics): Y from the batch's mean and (biased) variance per channel; also the batch mean and 1/σ for the gradient, and the running statistics updated in place (momentum·running + (1 − momentum)·batch)",
        inputs: [Port("X"), Port("scale"), Port("B"), Port("input_mean"), Port("input_var")],
        outputs: [Port("Y"), Port("saved_mean"), Port("saved_inv_std"), Port("running_mean"), Port("running_var")],
        attributes: [.float("epsilon", 1e-5), .float("momentum", 0.9)],
        inferTypes: { context throws(ShapeError) in
            let types = try inferBatchNormalization(context)
            let stats = types.count > 1 ? types[1] : TensorType(.float, nil)
            return [types[0], stats, stats, stats, stats]
        })
    static let batchNormalizationTrainGrad = OpSchema(
        type: .batchNormalizationTrainGrad,
        summary:
            "dX, dScale, dB of training-mode BatchNormalization from dY, X, scale and the saved batch mean and 1/σ",
        inputs: [Port("dY"), Port("X"), Port("scale"), Port("saved_mean"), Port("saved_inv_std")],
        outputs: [Port("dX", optional: true), Port("dScale", optional: true), Port("dB", optional: true)],
        attributes: [],
        inferTypes: normalizationGradients)
    static let dropoutMask = OpSchema(
        type: .dropoutMask,
        summary:
            "M = 0 with probability `ratio`, else 1/(1 − ratio), shaped like X; a fresh draw per step from `seed` and the step in H (training Dropout is X·M)",
        inputs: [Port("X"), Port("H")], outputs: [Port("M")],
        attributes: [.float("ratio", 0.5), .int("seed", 0)],
        inferTypes: { context throws(ShapeError) in
            let ratio = context.attributes.float("ratio", default: 0.5)
            guard ratio >= 0 && ratio < 1 else { throw ShapeError("ratio", "ratio \(ratio) must be in [0, 1)") }
            return [TensorType(.float, try context.input(0).dims)]
        })
    static let gradientNormScale = OpSchema(
        type: .gradientNormScale,
        summary: "S = min(1, max_norm / (‖(G1..Gn)‖₂ + 1e-6)), the global-norm clip factor (PyTorch clip_grad_norm_)",
        inputs: [Port("G", variadic: true)], outputs: [Port("S")], attributes: [.required("max_norm", .float)],
        inferTypes: { _ throws(ShapeError) in [TensorType(.float, [.fixed(1)])] })
    static let allReduce = OpSchema(
        type: .allReduce,
        summary:
            "Y_i = Σ over the ranks of a data-parallel run of W·X_i, for a bucket of tensors X_1..X_n reduced as one buffer; W = the rank's share of the global batch, so mean losses and their gradients become the global batch's (Horovod / PyTorch DDP all-reduce)",
        inputs: [Port("W"), Port("X", variadic: true)], outputs: [Port("Y", variadic: true)], attributes: [],
        inferTypes: { context throws(ShapeError) in
            guard context.inputs.count >= 2, context.outputCount == context.inputs.count - 1 else {
                let tensors = Swift.max(context.inputs.count - 1, 0)
                throw ShapeError("outputs", "\(tensors) tensors reduced into \(context.outputCount) outputs (one each)")
            }
            for index in 1..<context.inputs.count where try context.input(index).dataType != .float {
                throw ShapeError("type", "input \(index) is \(try context.input(index)); the all-reduce sums FLOAT")
            }
            return try (1..<context.inputs.count).map { index throws(ShapeError) in try context.input(index) }
        })
    static let optimizerStep = OpSchema(
        type: .optimizerStep,
        summary:
            "updates P (and its state S1, S2) in place from gradient G; H = [learning rate, step number]; C the clip factor; skipped when the loss L is not finite (torch.optim rules)",
        inputs: [
            Port("P"), Port("G"), Port("H"), Port("C", optional: true), Port("S1", optional: true),
            Port("S2", optional: true), Port("L", optional: true),
        ],
        outputs: [Port("P_out"), Port("S1_out", optional: true), Port("S2_out", optional: true)],
        attributes: [
            .required("kind", .string), .float("momentum", 0), .float("beta1", 0.9), .float("beta2", 0.999),
            .float("epsilon", 1e-8), .float("rho", 0.9), .float("weight_decay", 0),
        ],
        inferTypes: { context throws(ShapeError) in
            let parameter = try context.input(0)
            guard try context.input(1).isCompatible(with: parameter) else {
                throw ShapeError(
                    "gradient-shape", "gradient \(try context.input(1)) does not match parameter \(parameter)")
            }
            return (0..<context.outputCount).map { _ in parameter }
        })
}

/// Exactly the type of input 1 (the forward input a gradient is shaped like).
private func likeSecondInputExactly(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    [try context.input(1)]
}

/// Normalisation gradients: dX like X (input 1), dScale and dB like scale (input 2).
private func normalizationGradients(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let scale = try context.input(2)
    return Array([try context.input(1), scale, scale].prefix(context.outputCount))
}

/// The type of input 1 (`like`) with input 0's data type.
private func likeSecondInput(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    [TensorType(try context.input(0).dataType, try context.input(1).dims)]
}

/// HeadLoss: X [N, W, d...]; T class indices [N, d...] or dense like X; sample_weight [N].
private func inferHeadLoss(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let loss = try LossAttributes(context.attributes, hasSampleWeight: context.hasInput(2))
    let xType = try context.input(0)
    let x = try context.dims(0)
    let t = try context.dims(1)
    guard x.count >= 1 else { throw ShapeError("rank", "X must have a sample axis, got \(xType)") }
    let expected = loss.targetDims(x)
    let targetType = try context.input(1)
    guard t.count == expected.count,
        zip(t, expected).allSatisfy({
            $0 == $1 || $0 == .unknown || $1 == .unknown || $0.fixedValue == nil || $1.fixedValue == nil
        })
    else {
        throw ShapeError(
            "target-shape",
            "target \(targetType) must be \(TensorType(loss.family == .classIndex ? .int64 : .float, expected)) for output \(xType)"
        )
    }
    if loss.family == .classIndex && targetType.dataType != .int64 {
        throw ShapeError("target-type", "class-index target must be INT64, got \(targetType.dataType.onnxName)")
    }
    if context.hasInput(2) {
        let w = try context.dims(2)
        guard w.count == 1 else {
            throw ShapeError("sample-weight", "sample_weight must be [N], got \(try context.input(2))")
        }
    }
    return [TensorType(xType.dataType, loss.reduction == .none ? loss.termDims(x) : [])]
}

/// ConvGrad: dX like X, dW like W, dB [M].
private func inferConvGrad(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.input(1)
    let w = try context.input(2)
    let m: Dim = w.dims?.first ?? .unknown
    return Array([x, w, TensorType(w.dataType, [m])].prefix(context.outputCount))
}
