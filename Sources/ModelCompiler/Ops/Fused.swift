// Fused ops the optimiser emits (our domain): a producer and the activation that follows it.

extension OpSchema {
    /// Attributes naming the fused activation and its parameters (as in ORT's FusedGemm).
    private static let activationAttributes: [AttributeSpec] = [
        .required("activation", .string), .optional("activation_alpha", .float),
        .optional("activation_beta", .float), .optional("activation_gamma", .float),
    ]

    static let fusedConv = OpSchema(
        type: .fusedConv, summary: "Y = activation(Conv(X, W, B)) (ORT FusedConv semantics, our domain)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true)], outputs: [Port("Y")],
        attributes: conv.attributes + activationAttributes, inferTypes: inferConv)
    static let fusedGemm = OpSchema(
        type: .fusedGemm, summary: "Y = activation(Gemm(A, B, C)) (ORT FusedGemm semantics, our domain)",
        inputs: [Port("A"), Port("B"), Port("C", optional: true)], outputs: [Port("Y")],
        attributes: gemm.attributes + activationAttributes, inferTypes: inferGemm)
}
