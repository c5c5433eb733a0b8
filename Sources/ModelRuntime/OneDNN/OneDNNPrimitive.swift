import CDNNL
import Synchronization

/// A oneDNN primitive created once per plan, with what each execution needs: the memory
/// descriptors of its arguments, its scratchpad size (the scratchpad is user-provided, so it
/// lives in the plan's arena), and a pool of execution contexts (a stream and one memory
/// object per argument) so that concurrent runs of one plan each use their own objects and a
/// steady-state run creates none.
final class OneDNNPrimitive: @unchecked Sendable {
    /// The argument kinds (`DNNL_ARG_SRC`, ...) in the order `execute` takes their pointers.
    let arguments: [Int32]
    let descriptors: [dnnl_memory_desc_t]
    /// Bytes of the user scratchpad; `execute` must get at least this much.
    let scratchpadByteCount: Int
    /// The implementation oneDNN picked, e.g. "brgconv:avx512_core".
    let implementation: String
    private let primitive: dnnl_primitive_t
    private let scratchpadDescriptor: dnnl_memory_desc_t
    private let contexts = Mutex<[Context]>([])

    private final class Context: @unchecked Sendable {
        var stream: dnnl_stream_t?
        var memories: [dnnl_memory_t?]
        var scratchpad: dnnl_memory_t?
        let executionArguments: UnsafeMutableBufferPointer<dnnl_exec_arg_t>

        init(count: Int) {
            memories = Array(repeating: nil, count: count)
            executionArguments = .allocate(capacity: count + 1)
        }

        deinit {
            for memory in memories { if let memory { dnnl_memory_destroy(memory) } }
            if let scratchpad { dnnl_memory_destroy(scratchpad) }
            if let stream { dnnl_stream_destroy(stream) }
            executionArguments.deallocate()
        }
    }

    /// Creates the primitive of `descriptor` (a primitive descriptor this object takes over)
    /// for the arguments `arguments`, whose memory descriptors it queries.
    init(
        descriptor: dnnl_primitive_desc_t, arguments: [Int32], node: BoundNode
    ) throws(RuntimeError) {
        defer { dnnl_primitive_desc_destroy(descriptor) }
        var primitive: dnnl_primitive_t?
        try OneDNN.check(
            dnnl_primitive_create(&primitive, descriptor), node: node.name, op: node.op.rawValue,
            call: "primitive creation")
        guard let primitive else { throw node.error("oneDNN returned no primitive") }
        self.primitive = primitive
        self.arguments = arguments
        descriptors = arguments.map { argument in
            dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, argument)?.pointee ?? dnnl_memory_desc_t()
        }
        scratchpadDescriptor =
            dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0)?.pointee ?? dnnl_memory_desc_t()
        scratchpadByteCount = withUnsafePointer(to: scratchpadDescriptor) { Int(dnnl_memory_desc_get_size($0)) }
        var name: UnsafePointer<CChar>?
        _ = withUnsafeMutablePointer(to: &name) { pointer in
            dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, UnsafeMutableRawPointer(pointer))
        }
        implementation = name.map { String(cString: $0) } ?? "unknown"
    }

    deinit {
        contexts.withLock { $0.removeAll() }
        dnnl_primitive_destroy(primitive)
    }

    /// The memory descriptor of argument `kind` as the primitive wants it.
    func descriptor(of kind: Int32) -> dnnl_memory_desc_t? {
        arguments.firstIndex(of: kind).map { descriptors[$0] }
    }

    /// Runs the primitive on `threads` threads of oneDNN's OpenMP team, with `handles[i]` the
    /// data of `arguments[i]` and `scratchpad` at least `scratchpadByteCount` bytes.
    func execute(
        _ handles: UnsafeBufferPointer<UnsafeMutableRawPointer?>, scratchpad: UnsafeMutableRawPointer?, threads: Int
    ) {
        let context = contexts.withLock { $0.popLast() } ?? makeContext()
        defer { contexts.withLock { $0.append(context) } }
        var count = 0
        for (index, memory) in context.memories.enumerated() {
            guard let memory, let handle = handles[index] else { continue }
            dnnl_memory_set_data_handle_v2(memory, handle, context.stream)
            context.executionArguments[count] = dnnl_exec_arg_t(arg: arguments[index], memory: memory)
            count += 1
        }
        if let memory = context.scratchpad, let scratchpad {
            dnnl_memory_set_data_handle_v2(memory, scratchpad, context.stream)
            context.executionArguments[count] = dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory)
            count += 1
        }
        OneDNNThreads.use(threads)
        // An OpenMP team is about to take the cores: the runtime's pool must not spin on them.
        if threads > 1 { WorkerPool.shared.parkSpinningWorkers() }
        let status = dnnl_primitive_execute(primitive, context.stream, Int32(count), context.executionArguments.baseAddress)
        dnnl_stream_wait(context.stream)
        // Arguments were validated when the primitive was created; execution fails only on a bug.
        assert(status == dnnl_success, "dnnl_primitive_execute: \(OneDNN.describe(status))")
    }

    private func makeContext() -> Context {
        let context = Context(count: arguments.count)
        var stream: dnnl_stream_t?
        dnnl_stream_create(&stream, OneDNN.engine, dnnl_stream_default_flags.rawValue)
        context.stream = stream
        for (index, descriptor) in descriptors.enumerated() {
            var memory: dnnl_memory_t?
            withUnsafePointer(to: descriptor) { pointer in
                _ = dnnl_memory_create(&memory, pointer, OneDNN.engine, nil)  // DNNL_MEMORY_NONE: handle set per run
            }
            context.memories[index] = memory
        }
        if scratchpadByteCount > 0 {
            var memory: dnnl_memory_t?
            withUnsafePointer(to: scratchpadDescriptor) { pointer in
                _ = dnnl_memory_create(&memory, pointer, OneDNN.engine, nil)
            }
            context.scratchpad = memory
        }
        return context
    }
}
