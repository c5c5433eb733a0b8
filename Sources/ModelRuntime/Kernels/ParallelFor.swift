/// The parallel-for of DESIGN §7 for non-BLAS kernels: splits 0..<count into `threads`
/// contiguous chunks (multiples of 16 elements, so SIMD loops stay aligned to their blocks)
/// and runs them on the `WorkerPool`; small ranges run inline, where spreading
/// them would cost more than it saves.
enum ParallelFor {
    /// Below this many elements a loop runs on the calling thread.
    static let minimumParallelCount = 1 << 15

    static func run(count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(max(threads, 1), WorkerPool.shared.capacity, max(1, count / (minimumParallelCount / 2)))
        guard parts > 1 else {
            body(0..<count)
            return
        }
        let chunk = ((count + parts - 1) / parts + 15) / 16 * 16
        // The chunks are disjoint and `WorkerPool.run` returns only when all are done.
        WorkerPool.shared.run(parts: parts) { part in
            let start = part * chunk
            let end = min(count, start + chunk)
            if start < end { body(start..<end) }
        }
    }
}
