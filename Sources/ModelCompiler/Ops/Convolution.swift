// 2-D convolution and its transpose (ONNX semantics; N-D attributes accepted, 2-D executed).

extension OpSchema {
    static let conv = OpSchema(
        type: .conv, summary: "Y = X (*) W + B over spatial axes, with groups (ONNX Conv-11)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true)], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .optional("dilations", .ints), .int("group", 1),
            .optional("kernel_shape", .ints), .optional("pads", .ints), .optional("strides", .ints),
        ])
    static let convTranspose = OpSchema(
        type: .convTranspose, summary: "gradient-of-Conv upsampling (ONNX ConvTranspose-11)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true)], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .optional("dilations", .ints), .int("group", 1),
            .optional("kernel_shape", .ints), .optional("output_padding", .ints), .optional("output_shape", .ints),
            .optional("pads", .ints), .optional("strides", .ints),
        ])
}
