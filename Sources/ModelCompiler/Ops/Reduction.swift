// Reductions over axes.

extension OpSchema {
    static let argMax = OpSchema(
        type: .argMax, summary: "index of the largest element along axis (ONNX ArgMax-13)",
        inputs: [Port("data")], outputs: [Port("reduced")],
        attributes: [.int("axis", 0), .int("keepdims", 1), .int("select_last_index", 0)],
        inferTypes: { context throws(ShapeError) in
            let attributes = try context.decode(ArgMaxAttributes.init)
            let dims = try context.dims(0)
            let axis = try context.axis("axis", default: 0, rank: dims.count)
            return [TensorType(.int64, reduce(dims, axes: [axis], keep: attributes.keepDims))]
        })
    static let reduceMax = OpSchema(
        type: .reduceMax,
        summary: "max over axes; all axes when absent, none with noop_with_empty_axes (ONNX ReduceMax-13/18/20)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("reduced")],
        attributes: reduceAttributes, inferTypes: inferReduce)
    static let reduceMean = OpSchema(
        type: .reduceMean,
        summary: "mean over axes; all axes when absent, none with noop_with_empty_axes (ONNX ReduceMean-13/18)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("reduced")],
        attributes: reduceAttributes, inferTypes: inferReduce)
    static let reduceSum = OpSchema(
        type: .reduceSum, summary: "sum over the axes input; all axes when absent (ONNX ReduceSum-13)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("reduced")],
        attributes: [.int("keepdims", 1), .int("noop_with_empty_axes", 0)], inferTypes: inferReduce)

    /// ReduceMax/ReduceMean: the union of versions 13 (axes attribute) and 18 (axes input,
    /// noop_with_empty_axes); `OpsetChecks` holds a node to its version's form.
    private static let reduceAttributes: [AttributeSpec] = [
        .optional("axes", .ints), .int("keepdims", 1), .int("noop_with_empty_axes", 0),
    ]
}

/// Dims with `axes` removed, or set to 1 when `keep`.
func reduce(_ dims: [Dim], axes: Set<Int>, keep: Bool) -> [Dim] {
    dims.indices.compactMap { axes.contains($0) ? (keep ? .fixed(1) : nil) : dims[$0] }
}

/// ReduceMax/Mean/Sum over the axes (attribute or constant input); no axes, or an empty
/// list, reduce every axis unless noop_with_empty_axes = 1, which makes the op an identity.
func inferReduce(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let attributes = try context.decode(ReduceAttributes.init)
    let type = try context.input(0)
    let dims = try context.dims(0)
    let axes: [Int]?
    if context.hasInput(1) {
        guard let constant = context.constants[1] else { throw ShapeError.unknownRank }
        axes = constant.map { Int($0) }
    } else {
        axes = attributes.axes
    }
    let keep = attributes.keepDims
    guard let axes, !axes.isEmpty else {
        if attributes.noopWithEmptyAxes { return [type] }
        return [TensorType(type.dataType, reduce(dims, axes: Set(dims.indices), keep: keep))]
    }
    let normalized = try context.decode { (_: Attributes) throws(AttributeError) -> Set<Int> in
        try ReduceAttributes.normalized(axes, rank: dims.count)
    }
    return [TensorType(type.dataType, reduce(dims, axes: normalized, keep: keep))]
}
