import COpenBLAS

/// Single-precision matrix products through OpenBLAS (CBLAS, row-major).
public enum BLAS {
    /// C = alpha·op(A)·op(B) + beta·C for row-major A [M,K] (or [K,M] if `transposeA`),
    /// B [K,N] (or [N,K] if `transposeB`) and C [M,N]. Buffers must hold those counts; the
    /// caller (a bound kernel) has checked the shapes.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(transposeA ? m : k), b, blasint(transposeB ? k : n),
            beta, c, blasint(n))
    }

    /// y = alpha·op(A)·x + beta·y for row-major A [rows, columns] (op = transpose when
    /// `transpose`). OpenBLAS's sgemm is slow for a single row; its sgemv is not.
    public static func sgemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
        beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasint(rows), blasint(columns), alpha, a,
            blasint(columns), x, 1, beta, y, 1)
    }

    /// Bounds the threads OpenBLAS uses for each call.
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}
