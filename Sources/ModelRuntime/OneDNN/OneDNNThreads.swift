import Foundation

/// Who owns the cores: the runtime's `WorkerPool` splits work (batches, column blocks) across
/// threads, and every oneDNN call runs on the thread that makes it. oneDNN's OpenMP runtime
/// would otherwise start a team of its own on each calling thread (one per core), and the
/// pool's threads plus those teams would oversubscribe the cores that `--threads` bounds.
///
/// OpenMP's thread count is a per-thread setting (its `nthreads-var` belongs to the calling
/// thread's implicit task), so it is set to 1 on each thread before its first oneDNN call.
/// libgomp is loaded by libdnnl; its entry points are looked up at run time so the package
/// does not link libgomp by path (its unversioned `.so` lives in GCC's private folder).
enum OneDNNThreads {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetThreads = @convention(c) () -> Int32

    private static let setNumThreads: SetThreads? = symbol("omp_set_num_threads")
    private static let getMaxThreads: GetThreads? = symbol("omp_get_max_threads")

    private static func symbol<F>(_ name: String) -> F? {
        guard let address = dlsym(nil, name) else { return nil }  // nil: RTLD_DEFAULT, every loaded library
        return unsafeBitCast(address, to: F.self)
    }

    /// Makes oneDNN calls on the current thread run on this thread only (products that the
    /// runtime splits itself, parts of a split batch).
    @inline(__always)
    static func confineToCallingThread() { use(1) }

    /// Makes oneDNN calls on the current thread use up to `threads` threads. Cheap to repeat:
    /// one call into libgomp to read the current setting. A primitive is created and run under
    /// the same setting, since oneDNN fixes its work partition when it creates the primitive.
    @inline(__always)
    static func use(_ threads: Int) {
        guard let getMaxThreads, let setNumThreads else { return }
        let wanted = Int32(clamping: max(1, threads))
        if getMaxThreads() != wanted { setNumThreads(wanted) }
    }
}
