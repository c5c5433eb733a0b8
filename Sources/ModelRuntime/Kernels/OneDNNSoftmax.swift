import CDNNL
import ModelCompiler

/// Softmax and LogSoftmax along an axis as a oneDNN softmax (ONNX Softmax-13, LogSoftmax-13):
/// the input seen as [outer, extent, inner], normalised along the middle axis, with the maximum
/// subtracted first (oneDNN's `softmax_accurate` and `softmax_log`).
struct OneDNNSoftmaxKernel: Kernel, ReportsImplementation {
    let softmax: OneDNNPrimitive
    let threads: Int
    let scratchByteCount: Int

    var implementations: [String] { [softmax.implementation] }

    /// The oneDNN kernel, or nil for an empty tensor (the Swift kernel then writes nothing).
    static func make(_ node: BoundNode) throws(RuntimeError) -> OneDNNSoftmaxKernel? {
        try node.requireFloatInputs()
        let (outer, extent, inner) = sizes(of: node.shape(0), around: try node.axis(default: -1, allowScalar: true))
        guard outer > 0, extent > 0, inner > 0 else { return nil }
        return try OneDNNSoftmaxKernel(node, dims: [outer, extent, inner])
    }

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let kernel = try OneDNNSoftmaxKernel.make(node) else { throw node.error("empty input") }
        self = kernel
    }

    private init(_ node: BoundNode, dims: [Int]) throws(RuntimeError) {
        threads = node.threads
        let data = OneDNN.plainDescriptor(dims, tag: dnnl_abc)
        var operation = dnnl_softmax_v2_desc_t()
        let algorithm = node.op == .logSoftmax ? dnnl_softmax_log : dnnl_softmax_accurate
        let status = withUnsafePointer(to: data) { data in
            dnnl_softmax_v2_forward_desc_init(&operation, dnnl_forward_inference, algorithm, data, data, 1)
        }
        try OneDNN.check(status, node: node.name, op: node.op.rawValue, call: "softmax descriptor")
        let attributes = try OneDNNAttributes(node: node)
        OneDNNThreads.use(threads)
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, nil),
            node: node.name, op: node.op.rawValue, call: "softmax")
        guard let descriptor else { throw node.error("oneDNN returned no softmax") }
        softmax = try OneDNNPrimitive(descriptor: descriptor, arguments: [DNNL_ARG_SRC, DNNL_ARG_DST], node: node)
        scratchByteCount = softmax.scratchpadByteCount
    }

    func run(_ io: KernelIO) {
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 2) { handles in
            handles[0] = UnsafeMutableRawPointer(mutating: io.input(0))
            handles[1] = io.output(0)
            softmax.execute(UnsafeBufferPointer(handles), scratchpad: io.scratch, threads: threads)
        }
    }
}
