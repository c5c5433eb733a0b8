import CDNNL
import ModelCompiler

/// Gemm, FusedGemm and MatMul with a constant weight matrix as a oneDNN matmul: the weights
/// are reordered once, at bind time, into the packed layout the primitive chooses
/// (`format_tag::any`), instead of being packed again by every sgemm call. Bias (C of [N] or
/// [1,N]) is the primitive's bias argument, a full C [M,N] a sum post-op scaled by beta, and
/// the fused activation an eltwise post-op.
///
/// Shapes this form does not cover — a B computed at run time (training), alpha ≠ 1, C
/// broadcast along rows, batched or broadcast MatMul weights — stay on `GemmKernel` and
/// `MatMulKernel` (sgemm per call).
struct OneDNNMatMulKernel: Kernel, ReportsImplementation {
    let matmul: OneDNNPrimitive
    let packedWeights: OneDNNBuffer
    let threads: Int
    /// C is summed into Y by a post-op: copied into Y first.
    let sumsC: Bool
    let hasBias: Bool
    let outputByteCount: Int
    let scratchByteCount: Int

    var implementations: [String] { [matmul.implementation] }

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let kernel = try OneDNNMatMulKernel.make(node) else {
            throw node.error("this product needs the sgemm kernel (run-time weights, alpha, or a broadcast C)")
        }
        self = kernel
    }

    /// The oneDNN kernel for `node`, or nil when the product is outside what it covers.
    static func make(_ node: BoundNode) throws(RuntimeError) -> OneDNNMatMulKernel? {
        try node.requireFloatInputs()
        guard let weights = node.constants[1] else { return nil }
        let a = node.shape(0)
        let b = node.shape(1)
        let y = node.outputShapes[0]
        guard b.count == 2, !y.isEmpty, y.allSatisfy({ $0 > 0 }) else { return nil }
        var m: Int
        let k: Int
        let n: Int
        var transA = false
        var transB = false
        var bias = false
        var sum: Float?
        if node.op == .matMul {
            guard a.count >= 2 else { return nil }
            m = a.dropLast().reduce(1, *)
            (k, n) = (a[a.count - 1], b[1])
            guard b[0] == k else { return nil }
        } else {
            let attributes = try node.decode(GemmAttributes.init)
            guard a.count == 2, attributes.alpha == 1 else { return nil }
            (transA, transB) = (attributes.transA, attributes.transB)
            m = transA ? a[1] : a[0]
            k = transA ? a[0] : a[1]
            n = transB ? b[0] : b[1]
            guard (transB ? b[1] : b[0]) == k else { return nil }
            if node.has(2), attributes.beta != 0 {
                let c = node.shape(2)
                if c == [n] || c == [1, n], attributes.beta == 1 {
                    bias = true
                } else if c == [m, n] {
                    sum = attributes.beta
                } else {
                    return nil
                }
            }
        }
        return try OneDNNMatMulKernel(
            node, m: m, k: k, n: n, transA: transA, transB: transB, bias: bias, sum: sum, weights: weights)
    }

    private init(
        _ node: BoundNode, m: Int, k: Int, n: Int, transA: Bool, transB: Bool, bias: Bool, sum: Float?,
        weights: Tensor
    ) throws(RuntimeError) {
        let threads = node.threads
        self.threads = threads
        hasBias = bias
        sumsC = sum != nil
        outputByteCount = m * n * MemoryLayout<Float>.size
        func strided(_ dims: [Int], _ strides: [Int]) -> dnnl_memory_desc_t {
            var descriptor = dnnl_memory_desc_t()
            _ = dnnl_memory_desc_init_by_strides(
                &descriptor, 2, dims.map { Int64($0) }, dnnl_f32, strides.map { Int64($0) })
            return descriptor
        }
        let source = strided([m, k], transA ? [1, m] : [k, 1])
        let plainWeights = strided([k, n], transB ? [1, k] : [n, 1])
        var anyWeights = OneDNN.plainDescriptor([k, n], tag: dnnl_format_tag_any)
        anyWeights.format_kind = dnnl_format_kind_any
        let biasDescriptor = OneDNN.plainDescriptor([1, n], tag: dnnl_ab)
        let destination = OneDNN.plainDescriptor([m, n], tag: dnnl_ab)
        var operation = dnnl_matmul_desc_t()
        let status = withUnsafePointer(to: source) { src in
            withUnsafePointer(to: anyWeights) { wei in
                withUnsafePointer(to: biasDescriptor) { bia in
                    withUnsafePointer(to: destination) { dst in
                        dnnl_matmul_desc_init(&operation, src, wei, bias ? bia : nil, dst)
                    }
                }
            }
        }
        try OneDNN.check(status, node: node.name, op: node.op.rawValue, call: "matmul descriptor")
        let attributes = try OneDNNAttributes(activation: node.fusedActivation(), sum: sum, node: node)
        OneDNNThreads.use(threads)
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, nil),
            node: node.name, op: node.op.rawValue, call: "matmul")
        guard let descriptor else { throw node.error("oneDNN returned no matmul") }
        matmul = try OneDNNPrimitive(
            descriptor: descriptor,
            arguments: bias
                ? [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST]
                : [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST],
            node: node)
        let packed = matmul.descriptor(of: DNNL_ARG_WEIGHTS) ?? plainWeights
        let packedWeights = OneDNNBuffer(byteCount: OneDNN.byteCount(packed))
        self.packedWeights = packedWeights
        let reorder = try OneDNN.reorder(from: plainWeights, to: packed, node: node)
        let reorderScratchpad = OneDNNBuffer(byteCount: reorder.scratchpadByteCount)
        weights.withUnsafeBytes { bytes in
            let handles: [UnsafeMutableRawPointer?] = [
                UnsafeMutableRawPointer(mutating: bytes.baseAddress), packedWeights.pointer,
            ]
            handles.withUnsafeBufferPointer { reorder.execute($0, scratchpad: reorderScratchpad.pointer, threads: threads) }
        }
        scratchByteCount = matmul.scratchpadByteCount
    }

    func run(_ io: KernelIO) {
        guard let y = io.output(0) else { return }
        if sumsC, let c = io.input(2), UnsafeRawPointer(y) != c {
            y.copyMemory(from: c, byteCount: outputByteCount)
        }
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 4) { handles in
            handles[0] = UnsafeMutableRawPointer(mutating: io.input(0))
            handles[1] = packedWeights.pointer
            if hasBias {
                handles[2] = UnsafeMutableRawPointer(mutating: io.input(2))
                handles[3] = y
            } else {
                handles[2] = y
            }
            matmul.execute(
                UnsafeBufferPointer(rebasing: handles[0..<(hasBias ? 4 : 3)]), scratchpad: io.scratch,
                threads: threads)
        }
    }
}
