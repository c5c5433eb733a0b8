import ModelCompiler

/// Gemm and FusedGemm through oneDNN's sgemm: Y = act(alpha·A'·B' + beta·C) (ONNX Gemm-13).
///
/// C is broadcast into Y first, then sgemm accumulates with beta = 1, so one pass over Y
/// serves the bias; the fused activation runs over Y afterwards.
struct GemmKernel: Kernel {
    let m: Int
    let n: Int
    let k: Int
    let transA: Bool
    let transB: Bool
    let alpha: Float
    let beta: Float
    /// Strides of C over [M, N] (0 on broadcast axes), when C is given.
    let biasStrides: (row: Int, column: Int)?
    let activation: Pointwise

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let a = node.shape(0)
        let b = node.shape(1)
        // The checker and the shape rule decode the same struct: a transB of 2 never gets here.
        let attributes = try node.decode(GemmAttributes.init)
        (transA, transB, alpha, beta) = (attributes.transA, attributes.transB, attributes.alpha, attributes.beta)
        guard a.count == 2, b.count == 2, (transA ? a[0] : a[1]) == (transB ? b[1] : b[0]) else {
            throw node.error(
                "A \(a) (transA=\(transA ? 1 : 0)) and B \(b) (transB=\(transB ? 1 : 0)) "
                    + "are not matrices with equal inner dims")
        }
        m = transA ? a[1] : a[0]
        k = transA ? a[0] : a[1]
        n = transB ? b[0] : b[1]
        if node.has(2) {
            let strides = BinaryKernel.broadcastStrides(node.shape(2), to: [m, n])
            biasStrides = (strides[0], strides[1])
        } else {
            biasStrides = nil
        }
        activation = try node.fusedActivation()
    }

    func run(_ io: KernelIO) {
        let y = io.outputFloats(0)
        var accumulate: Float = 0
        if let strides = biasStrides, beta != 0 {
            let c = io.floats(2)
            for row in 0..<m {
                let target = y + row * n
                let source = c + row * strides.row
                // The last axis of C is contiguous (stride 1) or broadcast (stride 0).
                if strides.column == 0 {
                    target.update(repeating: beta * source[0], count: n)
                } else if beta == 1 {
                    target.update(from: source, count: n)
                } else {
                    for column in 0..<n { target[column] = beta * source[column] }
                }
            }
            accumulate = 1
        }
        if m == 1 {
            // One row: y = B'ᵀ·a as a matrix-vector product (A's single row or column is contiguous
            // either way, since it is [1,K] or [K,1]).
            MatrixProduct.sgemv(
                transpose: !transB, rows: transB ? n : k, columns: transB ? k : n, alpha: alpha, a: io.floats(1),
                x: io.floats(0), beta: accumulate, y: y, threads: io.threads)
        } else {
            MatrixProduct.sgemm(
                transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha, a: io.floats(0),
                b: io.floats(1), beta: accumulate, c: y, threads: io.threads)
        }
        if case .identity = activation { return }
        activation.apply(y, y, count: m * n)
    }
}

/// MatMul with numpy batching (ONNX MatMul-13): one sgemm per batch index.
struct MatMulKernel: Kernel {
    let m: Int
    let n: Int
    let k: Int
    let batchShape: [Int]
    /// Number of matrix products (the product of `batchShape`).
    let batchCount: Int
    let stridesA: [Int]
    let stridesB: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        var a = node.shape(0)
        var b = node.shape(1)
        if a.count == 1 { a.insert(1, at: 0) }
        if b.count == 1 { b.append(1) }
        m = a[a.count - 2]
        k = a[a.count - 1]
        n = b[b.count - 1]
        let batchA = Array(a.dropLast(2))
        let batchB = Array(b.dropLast(2))
        let rank = max(batchA.count, batchB.count)
        let paddedA = Array(repeating: 1, count: rank - batchA.count) + batchA
        let paddedB = Array(repeating: 1, count: rank - batchB.count) + batchB
        batchShape = zip(paddedA, paddedB).map { max($0, $1) }
        batchCount = batchShape.reduce(1, *)
        // Batch strides in matrices (not elements), 0 on broadcast axes.
        stridesA = BinaryKernel.broadcastStrides(paddedA, to: batchShape)
        stridesB = BinaryKernel.broadcastStrides(paddedB, to: batchShape)
    }

    func run(_ io: KernelIO) {
        let a = io.floats(0)
        let b = io.floats(1)
        let y = io.outputFloats(0)
        for batch in 0..<batchCount {
            var remainder = batch
            var matrixA = 0
            var matrixB = 0
            for axis in (0..<batchShape.count).reversed() {
                let index = remainder % batchShape[axis]
                remainder /= batchShape[axis]
                matrixA += index * stridesA[axis]
                matrixB += index * stridesB[axis]
            }
            MatrixProduct.sgemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a + matrixA * m * k,
                b: b + matrixB * k * n, beta: 0, c: y + batch * m * n, threads: io.threads)
        }
    }
}

extension GemmKernel: ReportsImplementation {
    var implementations: [String] { ["sgemm:oneDNN"] }
}

extension MatMulKernel: ReportsImplementation {
    var implementations: [String] { ["sgemm:oneDNN"] }
}
