import CDNNL
import ModelCompiler

/// Unary activations and math as a oneDNN eltwise primitive over the flat tensor: its
/// vectorised exp, log, tanh and erf are several times faster than the scalar Swift loop
/// (`UnaryKernel`), which remains for what oneDNN lacks (Selu) and for empty tensors.
struct OneDNNEltwiseKernel: Kernel, ReportsImplementation {
    let eltwise: OneDNNPrimitive
    let threads: Int
    let scratchByteCount: Int

    var implementations: [String] { [eltwise.implementation] }

    /// The oneDNN kernel computing `function` over `node`'s input, or nil when it cannot.
    static func make(_ node: BoundNode, function: Pointwise) throws(RuntimeError) -> OneDNNEltwiseKernel? {
        let count = node.outputShapes[0].reduce(1, *)
        guard count > 0, let (algorithm, alpha, beta) = OneDNNAttributes.eltwise(function) else { return nil }
        return try OneDNNEltwiseKernel(node, count: count, algorithm: algorithm, alpha: alpha, beta: beta)
    }

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let function = Pointwise(op: node.op, attributes: node.attributes),
            let kernel = try OneDNNEltwiseKernel.make(node, function: function)
        else {
            throw node.error("no oneDNN eltwise algorithm for this node")
        }
        self = kernel
    }

    private init(
        _ node: BoundNode, count: Int, algorithm: dnnl_alg_kind_t, alpha: Float, beta: Float
    ) throws(RuntimeError) {
        try node.requireFloatInputs()
        threads = node.threads
        let data = OneDNN.plainDescriptor([count], tag: dnnl_a)
        var operation = dnnl_eltwise_desc_t()
        let status = withUnsafePointer(to: data) { data in
            dnnl_eltwise_forward_desc_init(&operation, dnnl_forward_inference, algorithm, data, alpha, beta)
        }
        try OneDNN.check(status, node: node.name, op: node.op.rawValue, call: "eltwise descriptor")
        let attributes = try OneDNNAttributes(node: node)
        OneDNNThreads.use(threads)
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, nil),
            node: node.name, op: node.op.rawValue, call: "eltwise")
        guard let descriptor else { throw node.error("oneDNN returned no eltwise") }
        eltwise = try OneDNNPrimitive(descriptor: descriptor, arguments: [DNNL_ARG_SRC, DNNL_ARG_DST], node: node)
        scratchByteCount = eltwise.scratchpadByteCount
    }

    func run(_ io: KernelIO) {
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 2) { handles in
            handles[0] = UnsafeMutableRawPointer(mutating: io.input(0))
            handles[1] = io.output(0)
            eltwise.execute(UnsafeBufferPointer(handles), scratchpad: io.scratch, threads: threads)
        }
    }
}
