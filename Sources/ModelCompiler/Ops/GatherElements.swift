// GatherElements: per-element indexing along one axis (BERT's position ids in exports).

extension OpSchema {
    static let gatherElements = OpSchema(
        type: .gatherElements,
        summary: "output[i…] = data[i… with axis coordinate replaced by indices[i…]], output shaped like indices "
            + "(ONNX GatherElements-13)",
        inputs: [Port("data"), Port("indices")], outputs: [Port("output")], attributes: [.int("axis", 0)],
        inferTypes: inferGatherElements)
}

/// indices of data's rank, int64 or int32, no larger than data off the axis; output: data's
/// type, indices' shape.
private func inferGatherElements(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let data = try context.input(0)
    let indices = try context.input(1)
    guard indices.dataType == .int64 || indices.dataType == .int32 else {
        throw ShapeError("data-type", "indices must be INT64 or INT32, got \(indices.dataType.onnxName)")
    }
    guard let dataDims = data.dims, let indexDims = indices.dims else { return [TensorType(data.dataType, nil)] }
    guard dataDims.count == indexDims.count, !dataDims.isEmpty else {
        throw ShapeError("rank", "indices \(indices) must have data's rank (\(data))")
    }
    let given = context.attributes.int("axis", default: 0)
    let axis = given < 0 ? given + dataDims.count : given
    guard axis >= 0, axis < dataDims.count else {
        throw ShapeError("axis", "axis \(given) is out of range for data \(data)")
    }
    for position in dataDims.indices where position != axis {
        if let limit = dataDims[position].fixedValue, let size = indexDims[position].fixedValue, size > limit {
            throw ShapeError("indices", "indices \(indices) exceed data \(data) on axis \(position)")
        }
    }
    return [TensorType(data.dataType, indexDims)]
}
