// Fused ops the optimiser emits (our domain): a producer and the activation that follows it.

extension OpSchema {
    /// Attributes naming the fused activation and its parameters (as in ORT's FusedGemm).
    private static let activationAttributes: [AttributeSpec] = [
        .required("activation", .string), .optional("activation_alpha", .float),
        .optional("activation_beta", .float), .optional("activation_gamma", .float),
    ]

    static let fusedConv = OpSchema(
        type: .fusedConv, summary: "Y = activation(Conv(X, W, B) + Z) (ORT FusedConv semantics, our domain)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true), Port("Z", optional: true)], outputs: [Port("Y")],
        attributes: conv.attributes + activationAttributes, inferTypes: inferFusedConv)
    static let fusedGemm = OpSchema(
        type: .fusedGemm, summary: "Y = activation(Gemm(A, B, C)) (ORT FusedGemm semantics, our domain)",
        inputs: [Port("A"), Port("B"), Port("C", optional: true)], outputs: [Port("Y")],
        attributes: gemm.attributes + activationAttributes, inferTypes: inferGemm)
}

/// Conv's shape rule, plus Z (when given) of exactly Y's shape: the sum does not broadcast.
private func inferFusedConv(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let types = try inferConv(context)
    if context.hasInput(3), let y = types.first?.dims {
        let z = try context.dims(3)
        let agrees = z.count == y.count && zip(z, y).allSatisfy { $0 == $1 || $0 == .unknown || $1 == .unknown }
        guard agrees else {
            throw ShapeError("residual", "Z \(try context.input(3)) must have Y's shape \(types[0]): the sum does not broadcast")
        }
    }
    return types
}
