import CDNNL

/// Single-precision matrix products through oneDNN's row-major sgemm, which picks its kernels
/// by the CPU's instruction set (AVX2, AVX-512, AMX) at run time.
///
/// Every call runs on the calling thread (`OneDNNThreads`): concurrent sessions and the parts
/// of a split batch call it from several threads at once, and oneDNN's own OpenMP team per
/// caller would oversubscribe the cores. Parallel products are split here instead, into blocks
/// of output columns (or rows) run on the `WorkerPool`.
public enum MatrixProduct {
    /// Products below this many multiply-adds run on one thread: a hand-off costs more.
    static let minimumParallelWork = 1 << 20
    /// A matrix-vector product reads each element of A once: below this many elements (512 KB)
    /// it runs on one thread.
    static let minimumParallelVectorWork = 1 << 17

    /// C = alpha·op(A)·op(B) + beta·C for row-major A [M,K] (or [K,M] if `transposeA`),
    /// B [K,N] (or [N,K] if `transposeB`) and C [M,N], on up to `threads` threads. Buffers must
    /// hold those counts; the caller (a bound kernel) has checked the shapes.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>,
        threads: Int = 1
    ) {
        var product = Product(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha, a: a,
            lda: transposeA ? m : k, b: b, ldb: transposeB ? k : n, beta: beta, c: c, block: 0, byColumns: true)
        let parts = partCount(work: m * n * k, minimum: minimumParallelWork, threads: threads)
        guard parts > 1 else {
            product.run(part: 0)
            return
        }
        // Blocks of output columns keep each part's A whole and its B panel private; a product
        // with few columns is cut into blocks of rows instead.
        product.byColumns = n >= m || n >= 64 * parts
        product.block = ((product.byColumns ? n : m) + parts - 1) / parts
        withUnsafePointer(to: &product) { address in
            WorkerPool.shared.run(parts: parts, context: UnsafeRawPointer(address)) { context, part in
                context.assumingMemoryBound(to: Product.self).pointee.run(part: part)
            }
        }
    }

    /// One sgemm and how it is cut: part p computes output columns (or rows) p·block ..<
    /// (p+1)·block; with block 0 the whole product.
    private struct Product {
        let transposeA: Bool
        let transposeB: Bool
        let m: Int
        let n: Int
        let k: Int
        let alpha: Float
        let a: UnsafePointer<Float>
        let lda: Int
        let b: UnsafePointer<Float>
        let ldb: Int
        let beta: Float
        let c: UnsafeMutablePointer<Float>
        var block: Int
        var byColumns: Bool

        func run(part: Int) {
            guard block > 0 else {
                call(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, n)
                return
            }
            let start = part * block
            if byColumns {
                let width = Swift.min(n, start + block) - start
                guard width > 0 else { return }
                call(
                    transposeA, transposeB, m, width, k, alpha, a, lda, transposeB ? b + start * ldb : b + start, ldb,
                    beta, c + start, n)
            } else {
                let height = Swift.min(m, start + block) - start
                guard height > 0 else { return }
                call(
                    transposeA, transposeB, height, n, k, alpha, transposeA ? a + start : a + start * lda, lda, b, ldb,
                    beta, c + start * n, n)
            }
        }
    }

    /// y = alpha·op(A)·x + beta·y for row-major A [rows, columns] (op = transpose when
    /// `transpose`), on up to `threads` threads (blocks of y): a product with one row or column,
    /// cut by rows of A rather than by output columns.
    public static func sgemv(
        transpose: Bool, rows: Int, columns: Int, alpha: Float, a: UnsafePointer<Float>, x: UnsafePointer<Float>,
        beta: Float, y: UnsafeMutablePointer<Float>, threads: Int = 1
    ) {
        var product = VectorProduct(
            transpose: transpose, rows: rows, columns: columns, alpha: alpha, a: a, x: x, beta: beta, y: y, block: 0)
        let parts = partCount(work: rows * columns, minimum: minimumParallelVectorWork, threads: threads)
        guard parts > 1 else {
            product.run(part: 0)
            return
        }
        product.block = ((transpose ? columns : rows) + parts - 1) / parts
        withUnsafePointer(to: &product) { address in
            WorkerPool.shared.run(parts: parts, context: UnsafeRawPointer(address)) { context, part in
                context.assumingMemoryBound(to: VectorProduct.self).pointee.run(part: part)
            }
        }
    }

    /// One sgemv and how it is cut: part p computes entries p·block ..< (p+1)·block of y; with
    /// block 0 all of them.
    private struct VectorProduct {
        let transpose: Bool
        let rows: Int
        let columns: Int
        let alpha: Float
        let a: UnsafePointer<Float>
        let x: UnsafePointer<Float>
        let beta: Float
        let y: UnsafeMutablePointer<Float>
        var block: Int

        func run(part: Int) {
            let length = transpose ? columns : rows
            let start = block > 0 ? part * block : 0
            let count = block > 0 ? Swift.min(length, start + block) - start : length
            guard count > 0 else { return }
            // y as a row vector: y[1, count] = x[1, rows]·A[:, block] (transposed), or
            // y[1, count] = x[1, columns]·A[block, :]ᵀ.
            if transpose {
                call(false, false, 1, count, rows, alpha, x, rows, a + start, columns, beta, y + start, count)
            } else {
                call(false, true, 1, count, columns, alpha, x, columns, a + start * columns, columns, beta, y + start, count)
            }
        }
    }

    private static func partCount(work: Int, minimum: Int, threads: Int) -> Int {
        guard threads > 1, work >= minimum else { return 1 }
        return min(threads, WorkerPool.shared.capacity, max(1, work / (minimum / 2)))
    }

    @inline(__always)
    fileprivate static func call(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        OneDNNThreads.confineToCallingThread()
        let status = dnnl_sgemm(
            transposeA ? 0x54 : 0x4E, transposeB ? 0x54 : 0x4E, dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a,
            dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))  // 0x54 'T', 0x4E 'N'
        // Only inconsistent dimensions fail, and the bound kernel checked the shapes.
        assert(status == dnnl_success, "dnnl_sgemm: \(OneDNN.describe(status))")
    }
}
