// Spatial pooling.

extension OpSchema {
    static let averagePool = OpSchema(
        type: .averagePool, summary: "Y = mean over sliding windows (ONNX AveragePool-11)",
        inputs: [Port("X")], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .int("ceil_mode", 0), .int("count_include_pad", 0),
            .required("kernel_shape", .ints), .optional("pads", .ints), .optional("strides", .ints),
        ])
    static let globalAveragePool = OpSchema(
        type: .globalAveragePool, summary: "Y = mean over all spatial axes, kept as size 1 (ONNX GlobalAveragePool-1)",
        inputs: [Port("X")], outputs: [Port("Y")], attributes: [])
    static let maxPool = OpSchema(
        type: .maxPool, summary: "Y = max over sliding windows (ONNX MaxPool-12)",
        inputs: [Port("X")], outputs: [Port("Y"), Port("Indices", optional: true)],
        attributes: [
            .string("auto_pad", "NOTSET"), .int("ceil_mode", 0), .optional("dilations", .ints),
            .required("kernel_shape", .ints), .optional("pads", .ints), .int("storage_order", 0),
            .optional("strides", .ints),
        ])
}
