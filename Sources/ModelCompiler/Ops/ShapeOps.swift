// Ops that move data without arithmetic: shapes, layouts, joins, lookups, constants.

extension OpSchema {
    static let concat = OpSchema(
        type: .concat, summary: "joins inputs along axis (ONNX Concat-13)",
        inputs: [Port("inputs", variadic: true)], outputs: [Port("concat_result")], attributes: [.required("axis", .int)])
    static let constant = OpSchema(
        type: .constant, summary: "Y = the value given by exactly one value* attribute (ONNX Constant-13)",
        inputs: [], outputs: [Port("output")],
        attributes: [
            .optional("value", .tensor), .optional("value_float", .float), .optional("value_floats", .floats),
            .optional("value_int", .int), .optional("value_ints", .ints),
        ])
    static let flatten = OpSchema(
        type: .flatten, summary: "Y = X reshaped to 2-D at axis (ONNX Flatten-13)",
        inputs: [Port("input")], outputs: [Port("output")], attributes: [.int("axis", 1)])
    static let gather = OpSchema(
        type: .gather, summary: "Y = data indexed by indices along axis, e.g. embeddings (ONNX Gather-13)",
        inputs: [Port("data"), Port("indices")], outputs: [Port("output")], attributes: [.int("axis", 0)])
    static let reshape = OpSchema(
        type: .reshape, summary: "Y = data with the shape given by the shape input; 0 copies, -1 infers (ONNX Reshape-14)",
        inputs: [Port("data"), Port("shape")], outputs: [Port("reshaped")], attributes: [.int("allowzero", 0)])
    static let split = OpSchema(
        type: .split, summary: "splits input along axis into the outputs (ONNX Split-13)",
        inputs: [Port("input"), Port("split", optional: true)], outputs: [Port("outputs", variadic: true)],
        attributes: [.int("axis", 0)])
    static let squeeze = OpSchema(
        type: .squeeze, summary: "removes size-1 axes (ONNX Squeeze-13)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("squeezed")], attributes: [])
    static let transpose = OpSchema(
        type: .transpose, summary: "permutes axes by perm; reverses them when perm is absent (ONNX Transpose-13)",
        inputs: [Port("data")], outputs: [Port("transposed")], attributes: [.optional("perm", .ints)])
    static let unsqueeze = OpSchema(
        type: .unsqueeze, summary: "inserts size-1 axes (ONNX Unsqueeze-13)",
        inputs: [Port("data"), Port("axes")], outputs: [Port("expanded")], attributes: [])
}
