// Loss ops that ONNX defines; heads lower to these or to primitives.

extension OpSchema {
    static let negativeLogLikelihoodLoss = OpSchema(
        type: .negativeLogLikelihoodLoss,
        summary: "loss = -input[n, target[n]] weighted, reduced (ONNX NegativeLogLikelihoodLoss-13)",
        inputs: [Port("input"), Port("target"), Port("weight", optional: true)], outputs: [Port("loss")],
        attributes: [.optional("ignore_index", .int), .string("reduction", "mean")], inferTypes: inferClassLoss)
    static let softmaxCrossEntropyLoss = OpSchema(
        type: .softmaxCrossEntropyLoss,
        summary: "loss = NLL(log_softmax(scores, axis 1), labels), stable (ONNX SoftmaxCrossEntropyLoss-13)",
        inputs: [Port("scores"), Port("labels"), Port("weights", optional: true)],
        outputs: [Port("output"), Port("log_prob", optional: true)],
        attributes: [.optional("ignore_index", .int), .string("reduction", "mean")], inferTypes: inferClassLoss)
}

/// Class-index losses: scores [N,C,d...], integer labels [N,d...], weights [C]; the loss is a
/// scalar unless reduction is "none" ([N,d...]); log_prob is like scores.
func inferClassLoss(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let scores = try context.dims(0)
    let labels = try context.dims(1)
    let scoreType = try context.input(0)
    let labelType = try context.input(1)
    guard scores.count >= 2 else { throw ShapeError("rank", "scores must be [N,C,d...], got \(scoreType)") }
    guard labelType.dataType == .int64 || labelType.dataType == .int32 else {
        throw ShapeError("labels-type", "labels must be INT64 or INT32 class indices, got \(labelType.dataType.onnxName)")
    }
    let expected = [scores[0]] + Array(scores.dropFirst(2))
    guard labels.count == expected.count,
        zip(labels, expected).allSatisfy({ $0 == $1 || $0 == .unknown || $1 == .unknown })
    else {
        throw ShapeError("labels-shape", "labels \(labelType) must be \(TensorType(.int64, expected)) for scores \(scoreType)")
    }
    if context.hasInput(2) {
        let weights = try context.dims(2)
        guard weights.count == 1, weights[0] == scores[1] || weights[0] == .unknown || scores[1] == .unknown else {
            throw ShapeError("weights", "weights must be [\(scores[1])], got \(try context.input(2))")
        }
    }
    let reduction = context.attributes.string("reduction", default: "mean")
    guard ["mean", "sum", "none"].contains(reduction) else {
        throw ShapeError("reduction", "reduction '\(reduction)' is not mean, sum or none")
    }
    let loss = TensorType(scoreType.dataType, reduction == "none" ? expected : [])
    return context.outputCount > 1 ? [loss, scoreType] : [loss]
}
