import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct LinearKernelTests {
    /// Gemm with every flag against the ONNX formula Y = alpha·A'·B' + beta·C, in Double.
    /// m = 1 takes the matrix-vector path (sgemv), m = 3 the matrix path (sgemm).
    @Test(arguments: [(0, 0, 3), (1, 0, 3), (0, 1, 3), (1, 1, 3), (0, 0, 1), (1, 0, 1), (0, 1, 1), (1, 1, 1)])
    func gemmFollowsTheFormula(transA: Int, transB: Int, m: Int) throws {
        let (k, n) = (4, 5)
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
        let b = (0..<(k * n)).map { Float($0 % 5) * 0.5 }
        let c: [Float] = (0..<n).map { Float($0) }
        let shapeA = transA == 1 ? [k, m] : [m, k]
        let shapeB = transB == 1 ? [n, k] : [k, n]
        let y = try runOneNode(
            "Gemm",
            inputs: [
                ("a", Tensor(shape: shapeA, scalars: a)), ("b", Tensor(shape: shapeB, scalars: b)),
                ("c", Tensor(shape: [n], scalars: c)),
            ],
            attributes: [
                attribute("transA", i: transA), attribute("transB", i: transB), attribute("alpha", f: 0.5),
                attribute("beta", f: 2),
            ])[0]
        #expect(y.shape == [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = transA == 1 ? a[p * m + i] : a[i * k + p]
                    let bv = transB == 1 ? b[j * k + p] : b[p * n + j]
                    sum += Double(av) * Double(bv)
                }
                #expect(abs(Double(y.scalars[i * n + j]) - (0.5 * sum + 2 * Double(c[j]))) < 1e-5)
            }
        }
    }

    /// Gemm with constant weights (the pre-packed oneDNN matmul) against the same formula, for
    /// each transpose, each form of C (bias row, [1,N], full [M,N] with beta, none), alpha 1
    /// and 0.5 (the sgemm fallback), and a fused Relu.
    @Test(arguments: [
        (0, 0, [5], 1, 1), (1, 0, [1, 5], 1, 1), (0, 1, [3, 5], 1, 0.5), (1, 1, [], 1, 1), (0, 1, [5], 0.5, 2),
        (1, 0, [3, 5], 0.5, 0.5),
    ] as [(Int, Int, [Int], Float, Float)])
    func gemmWithConstantWeightsFollowsTheFormula(
        transA: Int, transB: Int, shapeC: [Int], alpha: Float, beta: Float
    ) throws {
        let (m, k, n) = (3, 4, 5)
        let a = (0..<(m * k)).map { Float($0 % 7) - 3 }
        let b = (0..<(k * n)).map { Float($0 % 5) * 0.5 - 0.7 }
        let c: [Float] = (0..<shapeC.reduce(1, *)).map { Float($0) - 2 }
        for fused in [false, true] {
            var constants = [("b", Tensor(shape: transB == 1 ? [n, k] : [k, n], scalars: b))]
            if !shapeC.isEmpty { constants.append(("c", Tensor(shape: shapeC, scalars: c))) }
            var attributes = [
                attribute("transA", i: transA), attribute("transB", i: transB), attribute("alpha", f: alpha),
                attribute("beta", f: beta),
            ]
            if fused { attributes.append(attribute("activation", s: "Relu")) }
            let y = try runOneNode(
                fused ? "FusedGemm" : "Gemm", inputs: [("a", Tensor(shape: transA == 1 ? [k, m] : [m, k], scalars: a))],
                constants: constants, attributes: attributes)[0]
            #expect(y.shape == [m, n])
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k {
                        let av = transA == 1 ? a[p * m + i] : a[i * k + p]
                        let bv = transB == 1 ? b[j * k + p] : b[p * n + j]
                        sum += Double(av) * Double(bv)
                    }
                    let bias = shapeC.isEmpty ? 0 : Double(c[shapeC.count == 2 && shapeC[0] == m ? i * n + j : j])
                    var want = Double(alpha) * sum + Double(beta) * bias
                    if fused { want = max(want, 0) }
                    #expect(abs(Double(y.scalars[i * n + j]) - want) < 1e-5, "y[\(i),\(j)]")
                }
            }
        }
    }

    @Test func matMulWithConstantWeightsFlattensLeadingAxes() throws {
        // A [2,3,4] @ constant B [4,2] → [2,3,2]: one oneDNN matmul over 6 rows.
        let a = (0..<24).map { Float($0 % 9) - 4 }
        let b = (0..<8).map { Float($0) * 0.25 - 1 }
        let y = try runOneNode(
            "MatMul", inputs: [("a", Tensor(shape: [2, 3, 4], scalars: a))],
            constants: [("b", Tensor(shape: [4, 2], scalars: b))])[0]
        #expect(y.shape == [2, 3, 2])
        for row in 0..<6 {
            for j in 0..<2 {
                var sum: Float = 0
                for p in 0..<4 { sum += a[row * 4 + p] * b[p * 2 + j] }
                #expect(abs(y.scalars[row * 2 + j] - sum) < 1e-5)
            }
        }
    }

    @Test func batchedMatMulBroadcasts() throws {
        // A [2,1,2,3] @ B [3,3,2] → [2,3,2,2]; reference by index arithmetic.
        let a = (0..<12).map { Float($0) }
        let b = (0..<18).map { Float($0 % 4) - 1 }
        let y = try runOneNode(
            "MatMul",
            inputs: [("a", Tensor(shape: [2, 1, 2, 3], scalars: a)), ("b", Tensor(shape: [3, 3, 2], scalars: b))])[0]
        #expect(y.shape == [2, 3, 2, 2])
        for batchA in 0..<2 {
            for batchB in 0..<3 {
                for i in 0..<2 {
                    for j in 0..<2 {
                        var sum: Float = 0
                        for p in 0..<3 { sum += a[batchA * 6 + i * 3 + p] * b[batchB * 6 + p * 2 + j] }
                        #expect(y.scalars[((batchA * 3 + batchB) * 2 + i) * 2 + j] == sum)
                    }
                }
            }
        }
    }

    @Test func reshapeFlattenAndConstantsMoveBytesUnchanged() throws {
        let x = (0..<24).map { Float($0) }
        let flat = try runOneNode("Flatten", inputs: [("x", Tensor(shape: [2, 3, 4], scalars: x))])[0]
        #expect(flat.shape == [2, 12] && flat.scalars == x)
        let reshaped = try runOneNode(
            "Reshape", inputs: [("x", Tensor(shape: [2, 3, 4], scalars: x))],
            constants: [("s", Tensor(shape: [2], int64s: [4, -1]))])[0]
        #expect(reshaped.shape == [4, 6] && reshaped.scalars == x)
    }
}
