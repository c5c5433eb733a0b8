import Testing

@testable import ModelRuntime

@Suite struct BLASTests {
    @Test func sgemmMatchesAHandComputedProduct() {
        // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]]; A·B = [[58,64],[139,154]].
        let a: [Float] = [1, 2, 3, 4, 5, 6]
        let b: [Float] = [7, 8, 9, 10, 11, 12]
        var c: [Float] = [1, 1, 1, 1]
        BLAS.sgemm(transposeA: false, transposeB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, b: b, beta: 0.5, c: &c)
        #expect(c == [58.5, 64.5, 139.5, 154.5])
    }

    @Test func sgemmHonoursTransposes() {
        // Aᵀ stored as [3,2] and Bᵀ stored as [2,3] give the same product as above.
        let aT: [Float] = [1, 4, 2, 5, 3, 6]
        let bT: [Float] = [7, 9, 11, 8, 10, 12]
        var c: [Float] = [0, 0, 0, 0]
        BLAS.sgemm(transposeA: true, transposeB: true, m: 2, n: 2, k: 3, alpha: 2, a: aT, b: bT, beta: 0, c: &c)
        #expect(c == [116, 128, 278, 308])
    }
}
