// Normalisation layers and dropout.

extension OpSchema {
    static let batchNormalization = OpSchema(
        type: .batchNormalization,
        summary: "Y = scale*(X - mean)/sqrt(var + epsilon) + B per channel (ONNX BatchNormalization-15)",
        inputs: [Port("X"), Port("scale"), Port("B"), Port("input_mean"), Port("input_var")],
        outputs: [Port("Y"), Port("running_mean", optional: true), Port("running_var", optional: true)],
        attributes: [.float("epsilon", 1e-5), .float("momentum", 0.9), .int("training_mode", 0)],
        inferTypes: inferBatchNormalization)
    static let dropout = OpSchema(
        type: .dropout, summary: "Y = X*mask/(1-ratio) in training, X in inference (ONNX Dropout-13)",
        inputs: [Port("data"), Port("ratio", optional: true), Port("training_mode", optional: true)],
        outputs: [Port("output"), Port("mask", optional: true)], attributes: [.optional("seed", .int)],
        inferTypes: { context throws(ShapeError) in
            let type = try context.input(0)
            return context.outputCount > 1 ? [type, TensorType(.bool, type.dims)] : [type]
        })
    static let layerNormalization = OpSchema(
        type: .layerNormalization,
        summary: "Y = (X - mean)/sqrt(var + epsilon)*Scale + B over axes >= axis (ONNX LayerNormalization-17)",
        inputs: [Port("X"), Port("Scale"), Port("B", optional: true)],
        outputs: [Port("Y"), Port("Mean", optional: true), Port("InvStdDev", optional: true)],
        attributes: [.int("axis", -1), .float("epsilon", 1e-5), .int("stash_type", 1)],
        inferTypes: inferLayerNormalization)
}

/// BatchNormalization: X [N,C,...]; scale, B, mean, var [C]; Y like X; running stats [C].
func inferBatchNormalization(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.dims(0)
    let type = try context.input(0)
    guard x.count >= 2 else { throw ShapeError("rank", "X must be [N,C,...], got \(type)") }
    for index in 1...4 {
        let dims = try context.dims(index)
        guard dims.count == 1, dims[0] == x[1] || dims[0] == .unknown || x[1] == .unknown else {
            throw ShapeError("channels", "input \(index) must be [\(x[1])] (one value per channel of X \(type)), got \(try context.input(index))")
        }
    }
    let stats = TensorType(type.dataType, [x[1]])
    return Array([type, stats, stats].prefix(max(1, context.outputCount)))
}

/// LayerNormalization: Y like X; Mean and InvStdDev keep axes before `axis`, 1 after.
func inferLayerNormalization(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.dims(0)
    let type = try context.input(0)
    let axis = try context.axis("axis", default: -1, rank: x.count)
    let normalized = Array(x[axis...])
    let scale = try context.dims(1)
    if (try? ShapeRules.broadcast(scale, normalized, context: context)) == nil || scale.count > normalized.count {
        throw ShapeError("scale", "Scale \(try context.input(1)) does not broadcast to the normalised axes \(TensorType(.float, normalized))")
    }
    let stats = TensorType(.float, Array(x[..<axis]) + Array(repeating: .fixed(1), count: x.count - axis))
    return Array([type, stats, stats].prefix(max(1, context.outputCount)))
}
