// Elementwise ops over any number of inputs, with multidirectional broadcasting.

extension OpSchema {
    private static func variadic(_ type: OpType, _ summary: String) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("data_0", variadic: true)], outputs: [Port("result")],
            attributes: [], inferTypes: ShapeRules.broadcast)
    }

    static let max = variadic(.max, "result = elementwise maximum of the inputs, broadcasting; NaN wins (ONNX Max-13)")
    static let mean = variadic(.mean, "result = elementwise mean of the inputs, broadcasting (ONNX Mean-13)")
    static let min = variadic(.min, "result = elementwise minimum of the inputs, broadcasting; NaN wins (ONNX Min-13)")
    static let sum = variadic(.sum, "result = elementwise sum of the inputs, broadcasting (ONNX Sum-13)")
}
