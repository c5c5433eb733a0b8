import Foundation
import Testing

@testable import ModelRuntime

@Suite struct MatrixProductTests {
    @Test func sgemmMatchesAHandComputedProduct() {
        // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]; A·B = [[58,64],[139,154]].
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [1, 1, 1, 1]
        MatrixProduct.sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, b: b, beta: 0.5, c: &c)
        #expect(c == [58.5, 64.5, 139.5, 154.5])
    }

    @Test func sgemmHonoursTransposes() {
        // Aᵀ stored as [3,2] and Bᵀ stored as [2,3] give the same product as above.
        let aT: [Float] = [1, 4, 2, 5, 3, 6]
        let bT: [Float] = [7, 9, 11, 8, 10, 12]
        var c: [Float] = [0, 0, 0, 0]
        MatrixProduct.sgemm(transposeA: true, transposeB: true, m: 2, n: 2, k: 3, alpha: 2, a: aT, b: bT, beta: 0, c: &c)
        #expect(c == [116, 128, 278, 308])
    }
}

/// Products split across threads (blocks of output columns or rows) against a float64
/// product written out in loops.
@Suite struct BLASPartitionTests {
    static func values(_ count: Int, seed: Double) -> [Float] {
        (0..<count).map { Float(sin(Double($0) * 0.113 + seed)) }
    }

    /// (m, n, k): 64×256×128 splits its 256 columns; 512×16×256 has too few columns and
    /// splits its rows. Both are 2 M multiply-adds, above `MatrixProduct.minimumParallelWork`.
    @Test(arguments: [(64, 256, 128), (512, 16, 256)], [(false, false), (true, false), (false, true), (true, true)])
    func sgemmOnTwoThreadsMatchesLoops(shape: (Int, Int, Int), transposes: (Bool, Bool)) {
        let (m, n, k) = shape
        let (transposeA, transposeB) = transposes
        #expect(m * n * k >= MatrixProduct.minimumParallelWork)
        let a = Self.values(m * k, seed: 0.3)
        let b = Self.values(k * n, seed: 1.7)
        var c = Self.values(m * n, seed: 2.9)
        let initial = c
        MatrixProduct.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.75, a: a, b: b, beta: 0.5,
            c: &c, threads: 2)
        var worst = 0.0
        for row in 0..<m {
            for column in 0..<n {
                var sum = 0.0
                for inner in 0..<k {
                    let left = transposeA ? a[inner * m + row] : a[row * k + inner]
                    let right = transposeB ? b[column * k + inner] : b[inner * n + column]
                    sum += Double(left) * Double(right)
                }
                let expected = 0.75 * sum + 0.5 * Double(initial[row * n + column])
                worst = max(worst, abs(Double(c[row * n + column]) - expected))
            }
        }
        // k ≤ 256 float32 products of magnitude ≤ 1: the float32 sum is within 256·2⁻²⁴·256.
        #expect(worst <= 5e-3, "max abs error \(worst)")
    }

    @Test(arguments: [false, true])
    func sgemvOnTwoThreadsMatchesLoops(transpose: Bool) {
        let (rows, columns) = (1024, 2048)
        let a = Self.values(rows * columns, seed: 0.5)
        let x = Self.values(transpose ? rows : columns, seed: 1.1)
        var y = Self.values(transpose ? columns : rows, seed: 2.3)
        let initial = y
        MatrixProduct.sgemv(
            transpose: transpose, rows: rows, columns: columns, alpha: 1.5, a: a, x: x, beta: 2, y: &y, threads: 2)
        var worst = 0.0
        for index in y.indices {
            var sum = 0.0
            if transpose {
                for row in 0..<rows { sum += Double(a[row * columns + index]) * Double(x[row]) }
            } else {
                for column in 0..<columns { sum += Double(a[index * columns + column]) * Double(x[column]) }
            }
            worst = max(worst, abs(Double(y[index]) - (1.5 * sum + 2 * Double(initial[index]))))
        }
        // Up to 2048 products of magnitude ≤ 1, summed in float32.
        #expect(worst <= 2e-2, "max abs error \(worst)")
    }
}
