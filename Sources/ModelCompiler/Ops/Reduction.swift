// Reductions over axes.

extension OpSchema {
    static let argMax = OpSchema(
        type: .argMax, summary: "index of the largest element along axis (ONNX ArgMax-13)",
        inputs: [Port("data")], outputs: [Port("reduced")],
        attributes: [.int("axis", 0), .int("keepdims", 1), .int("select_last_index", 0)])
    static let reduceMax = OpSchema(
        type: .reduceMax, summary: "max over axes; all axes when absent (ONNX ReduceMax-13)",
        inputs: [Port("data")], outputs: [Port("reduced")],
        attributes: [.optional("axes", .ints), .int("keepdims", 1)])
    static let reduceMean = OpSchema(
        type: .reduceMean, summary: "mean over axes; all axes when absent (ONNX ReduceMean-13)",
        inputs: [Port("data")], outputs: [Port("reduced")],
        attributes: [.optional("axes", .ints), .int("keepdims", 1)])
    static let reduceSum = OpSchema(
        type: .reduceSum, summary: "sum over the axes input; all axes when absent (ONNX ReduceSum-13)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("reduced")],
        attributes: [.int("keepdims", 1), .int("noop_with_empty_axes", 0)])
}
