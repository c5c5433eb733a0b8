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
