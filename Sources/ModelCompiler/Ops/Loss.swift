// Loss ops that ONNX defines; heads lower to these or to primitives.

extension OpSchema {
    static let negativeLogLikelihoodLoss = OpSchema(
        type: .negativeLogLikelihoodLoss,
        summary: "loss = -input[n, target[n]] weighted, reduced (ONNX NegativeLogLikelihoodLoss-13)",
        inputs: [Port("input"), Port("target"), Port("weight", optional: true)], outputs: [Port("loss")],
        attributes: [.optional("ignore_index", .int), .string("reduction", "mean")])
    static let softmaxCrossEntropyLoss = OpSchema(
        type: .softmaxCrossEntropyLoss,
        summary: "loss = NLL(log_softmax(scores, axis 1), labels), stable (ONNX SoftmaxCrossEntropyLoss-13)",
        inputs: [Port("scores"), Port("labels"), Port("weights", optional: true)],
        outputs: [Port("output"), Port("log_prob", optional: true)],
        attributes: [.optional("ignore_index", .int), .string("reduction", "mean")])
}
