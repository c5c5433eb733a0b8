// Matrix products.

extension OpSchema {
    static let gemm = OpSchema(
        type: .gemm, summary: "Y = alpha*A'*B' + beta*C, A' = transpose(A) if transA (ONNX Gemm-13)",
        inputs: [Port("A"), Port("B"), Port("C", optional: true)], outputs: [Port("Y")],
        attributes: [.float("alpha", 1), .float("beta", 1), .int("transA", 0), .int("transB", 0)],
        inferTypes: inferGemm)
    static let matMul = OpSchema(
        type: .matMul, summary: "Y = A @ B with numpy batching and broadcasting (ONNX MatMul-13)",
        inputs: [Port("A"), Port("B")], outputs: [Port("Y")], attributes: [], inferTypes: inferMatMul)
}

/// Gemm: A [M,K] (or [K,M] with transA), B [K,N] (or [N,K] with transB), C broadcast to [M,N].
func inferGemm(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let attributes = try context.decode(GemmAttributes.init)
    let a = try context.dims(0)
    let b = try context.dims(1)
    let transA = attributes.transA ? 1 : 0
    let transB = attributes.transB ? 1 : 0
    let typeA = try context.input(0)
    let typeB = try context.input(1)
    guard a.count == 2, b.count == 2 else {
        throw ShapeError("rank", "A and B must be matrices: A is \(typeA), B is \(typeB)")
    }
    let (m, kA) = transA == 0 ? (a[0], a[1]) : (a[1], a[0])
    let (kB, n) = transB == 0 ? (b[0], b[1]) : (b[1], b[0])
    if kA != kB && kA != .unknown && kB != .unknown {
        throw ShapeError(
            "inner-dims", "inner dims differ: A is \(typeA) (transA=\(transA)), B is \(typeB) (transB=\(transB))")
    }
    if typeA.dataType != typeB.dataType {
        throw ShapeError("data-type", "A is \(typeA.dataType.onnxName) but B is \(typeB.dataType.onnxName)")
    }
    if context.hasInput(2) {
        let c = try context.dims(2)
        let broadcast = try? ShapeRules.broadcast(c, [m, n], context: context)
        guard c.count <= 2, let result = broadcast, result == [m, n] || result.contains(.unknown) else {
            throw ShapeError("bias", "C \(try context.input(2)) does not broadcast to the output [\(m),\(n)]")
        }
    }
    return [TensorType(typeA.dataType, [m, n])]
}

/// MatMul: numpy semantics; 1-D operands get a temporary axis that is removed afterwards.
func inferMatMul(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let typeA = try context.input(0)
    let typeB = try context.input(1)
    var a = try context.dims(0)
    var b = try context.dims(1)
    guard !a.isEmpty, !b.isEmpty else { throw ShapeError("rank", "operands must have rank >= 1: A is \(typeA), B is \(typeB)") }
    let vectorA = a.count == 1
    let vectorB = b.count == 1
    if vectorA { a.insert(.fixed(1), at: 0) }
    if vectorB { b.append(.fixed(1)) }
    let k1 = a[a.count - 1]
    let k2 = b[b.count - 2]
    if k1 != k2 && k1 != .unknown && k2 != .unknown {
        throw ShapeError("inner-dims", "inner dims differ: A is \(typeA), B is \(typeB)")
    }
    var dims = try ShapeRules.broadcast(Array(a.dropLast(2)), Array(b.dropLast(2)), context: context)
    if !vectorA { dims.append(a[a.count - 2]) }
    if !vectorB { dims.append(b[b.count - 1]) }
    return [TensorType(typeA.dataType, dims)]
}
