// Matrix products.

extension OpSchema {
    static let gemm = OpSchema(
        type: .gemm, summary: "Y = alpha*A'*B' + beta*C, A' = transpose(A) if transA (ONNX Gemm-13)",
        inputs: [Port("A"), Port("B"), Port("C", optional: true)], outputs: [Port("Y")],
        attributes: [.float("alpha", 1), .float("beta", 1), .int("transA", 0), .int("transB", 0)])
    static let matMul = OpSchema(
        type: .matMul, summary: "Y = A @ B with numpy batching and broadcasting (ONNX MatMul-13)",
        inputs: [Port("A"), Port("B")], outputs: [Port("Y")], attributes: [])
}
