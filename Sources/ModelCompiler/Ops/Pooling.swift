// Spatial pooling.

extension OpSchema {
    static let averagePool = OpSchema(
        type: .averagePool,
        summary: "Y = mean over sliding windows (ONNX AveragePool-11/19/22; the kernel takes dilations of 1 only)",
        inputs: [Port("X")], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .int("ceil_mode", 0), .int("count_include_pad", 0),
            .optional("dilations", .ints), .required("kernel_shape", .ints), .optional("pads", .ints),
            .optional("strides", .ints),
        ],
        inferTypes: inferPool)
    static let globalAveragePool = OpSchema(
        type: .globalAveragePool, summary: "Y = mean over all spatial axes, kept as size 1 (ONNX GlobalAveragePool-1)",
        inputs: [Port("X")], outputs: [Port("Y")], attributes: [], inferTypes: inferGlobalPool)
    static let maxPool = OpSchema(
        type: .maxPool, summary: "Y = max over sliding windows (ONNX MaxPool-12)",
        inputs: [Port("X")], outputs: [Port("Y"), Port("Indices", optional: true)],
        attributes: [
            .string("auto_pad", "NOTSET"), .int("ceil_mode", 0), .optional("dilations", .ints),
            .required("kernel_shape", .ints), .optional("pads", .ints), .int("storage_order", 0),
            .optional("strides", .ints),
        ],
        inferTypes: inferPool)
}

/// MaxPool / AveragePool: X [N,C,d...] → Y [N,C,o...] (and MaxPool's Indices, INT64, alike).
func inferPool(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let attributes = try context.decode(PoolAttributes.init)
    let x = try context.dims(0)
    let type = try context.input(0)
    guard x.count >= 3 else { throw ShapeError("rank", "X must be [N,C,spatial...], got \(type)") }
    let kernel = attributes.window.kernelShape ?? []
    let geometry = try WindowGeometry(context, spatialRank: x.count - 2, kernel: kernel)
    var dims = Array(x.prefix(2))
    for axis in 0..<(x.count - 2) { dims.append(try geometry.output(x[axis + 2], axis: axis)) }
    let output = TensorType(type.dataType, dims)
    return context.outputCount > 1 ? [output, TensorType(.int64, dims)] : [output]
}

/// GlobalAveragePool: X [N,C,d...] → [N,C,1...].
func inferGlobalPool(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.dims(0)
    guard x.count >= 3 else { throw ShapeError("rank", "X must be [N,C,spatial...], got \(try context.input(0))") }
    return [TensorType(try context.input(0).dataType, Array(x.prefix(2)) + Array(repeating: .fixed(1), count: x.count - 2))]
}
