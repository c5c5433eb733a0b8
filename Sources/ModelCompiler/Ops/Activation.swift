// Pointwise activations and the normalised exponentials (Softmax, LogSoftmax).

extension OpSchema {
    private static func activation(_ type: OpType, _ summary: String, _ attributes: [AttributeSpec] = []) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("X")], outputs: [Port("Y")], attributes: attributes,
            inferTypes: attributes.contains { $0.name == "axis" } ? ShapeRules.sameAsInputWithAxis : ShapeRules.sameAsInput)
    }

    static let elu = activation(.elu, "Y = X if X > 0 else alpha*(e^X - 1) (ONNX Elu-6)", [.float("alpha", 1)])
    static let gelu = activation(
        .gelu, "Y = X*Phi(X), or its tanh approximation (ONNX Gelu-20 semantics, in our domain)",
        [.string("approximate", "none")])
    static let leakyRelu = activation(
        .leakyRelu, "Y = X if X >= 0 else alpha*X (ONNX LeakyRelu-16)", [.float("alpha", 0.01)])
    static let logSoftmax = activation(
        .logSoftmax, "Y = X - log(sum(e^X)) along axis, stable (ONNX LogSoftmax-13)", [.int("axis", -1)])
    static let relu = activation(.relu, "Y = max(X, 0) (ONNX Relu-14)")
    static let selu = activation(
        .selu, "Y = gamma*(X if X > 0 else alpha*(e^X - 1)) (ONNX Selu-6)",
        [.float("alpha", 1.67326319217681884765625), .float("gamma", 1.05070102214813232421875)])
    static let sigmoid = activation(.sigmoid, "Y = 1/(1 + e^-X) (ONNX Sigmoid-13)")
    static let softmax = activation(
        .softmax, "Y = e^X / sum(e^X) along axis, stable (ONNX Softmax-13)", [.int("axis", -1)])
    static let softplus = activation(.softplus, "Y = ln(1 + e^X), stable (ONNX Softplus-1)")
    static let tanh = activation(.tanh, "Y = tanh(X) (ONNX Tanh-13)")
}
