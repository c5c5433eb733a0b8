// Normalisation layers and dropout.

extension OpSchema {
    static let batchNormalization = OpSchema(
        type: .batchNormalization,
        summary: "Y = scale*(X - mean)/sqrt(var + epsilon) + B per channel (ONNX BatchNormalization-15)",
        inputs: [Port("X"), Port("scale"), Port("B"), Port("input_mean"), Port("input_var")],
        outputs: [Port("Y"), Port("running_mean", optional: true), Port("running_var", optional: true)],
        attributes: [.float("epsilon", 1e-5), .float("momentum", 0.9), .int("training_mode", 0)])
    static let dropout = OpSchema(
        type: .dropout, summary: "Y = X*mask/(1-ratio) in training, X in inference (ONNX Dropout-13)",
        inputs: [Port("data"), Port("ratio", optional: true), Port("training_mode", optional: true)],
        outputs: [Port("output"), Port("mask", optional: true)], attributes: [.optional("seed", .int)])
    static let layerNormalization = OpSchema(
        type: .layerNormalization,
        summary: "Y = (X - mean)/sqrt(var + epsilon)*Scale + B over axes >= axis (ONNX LayerNormalization-17)",
        inputs: [Port("X"), Port("Scale"), Port("B", optional: true)],
        outputs: [Port("Y"), Port("Mean", optional: true), Port("InvStdDev", optional: true)],
        attributes: [.int("axis", -1), .float("epsilon", 1e-5), .int("stash_type", 1)])
}
